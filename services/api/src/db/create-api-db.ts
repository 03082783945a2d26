import { createHash } from 'node:crypto';
import type { Database } from '@hostwatch/db';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';

/** Options of {@link createApiDb}. */
export interface ApiDbOptions {
  /** Pool size (default 8: more sessions than cores only queue inside PostgreSQL instead of here). */
  readonly maxConnections?: number;
  /** Milliseconds to wait for a connection before failing (default 10 s). */
  readonly connectTimeoutMs?: number;
}

const names = new Map<string, string>();
// Hashing a series statement's 3 KB of text on every request was a few per cent of the process's
// time; the texts are few (literals are parameters), and the map is emptied should they not be.
const statementName = (text: string): string => {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= 1000) names.clear();
    name = `hw_${createHash('sha1').update(text).digest('base64url')}`;
    names.set(text, name);
  }
  return name;
};

// Each connection prepares a query text once and then only binds and executes it: the API runs a
// few dozen distinct statements thousands of times, and parsing and planning them every time cost
// about 40 % of a one-row lookup (issue 6). A name is the hash of the text, so it cannot collide.
class NamedStatementPool implements PostgresPool {
  constructor(private readonly pool: pg.Pool) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    const query = (text: unknown, values?: readonly unknown[]): unknown =>
      typeof text === 'string'
        ? client.query({ name: statementName(text), text, values: values as unknown[] })
        : client.query(text as never);
    return { query: query as PostgresPoolClient['query'], release: () => client.release() };
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * A kysely instance for the API over its own pg pool, running every query as a named prepared
 * statement; `destroy()` closes the pool.
 */
export function createApiDb(url: string, options: ApiDbOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 8,
    application_name: 'hostwatch api',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // The API's statements run in milliseconds, where compiling one (tens to hundreds of ms) never
    // pays; a misestimated plan crossing jit_above_cost once spent 400 ms compiling a series read.
    options: '-c jit=off',
    // Connections are kept however long they idle (pg-pool closes one after 10 s by default): a new
    // one costs a backend process and every named statement prepared and planned again, which the
    // first requests after a quiet spell waited for (a burst of series after 10 s without one had a
    // statement of 40 ms). At most maxConnections stay open.
    idleTimeoutMillis: 0,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new NamedStatementPool(pool) }) });
}
