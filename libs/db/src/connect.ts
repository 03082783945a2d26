import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';

/** Options of {@link createDb}. */
export interface DbOptions {
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Shown in `pg_stat_activity.application_name`. */
  readonly applicationName?: string;
  /** Milliseconds to wait for a connection before failing (default 10 s). */
  readonly connectTimeoutMs?: number;
}

/** A kysely instance over a pg pool for `url`; `destroy()` closes the pool. */
export function createDb(url: string, options: DbOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'hostwatch',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // A server restart or crash must not crash the process: an idle client's error and a checked-out
  // client's error both surface as the failure of the query under way, and the next query reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
