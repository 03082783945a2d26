import type { Database } from '@hostwatch/db';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AlerterLog } from '../log.js';

/**
 * A kysely over a pg pool for the alerter. Besides idle connections, connections checked out
 * by a transaction get an error listener: when PostgreSQL goes away mid-transaction the query
 * fails (and the batch is retried) instead of the process dying of an unhandled 'error' event.
 */
export function connectDatabase(url: string, applicationName: string, log: AlerterLog): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, application_name: applicationName, connectionTimeoutMillis: 10_000 });
  pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL connection failed'));
  pool.on('connect', (client) => client.on('error', (err) => log.debug({ err }, 'PostgreSQL connection failed')));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
