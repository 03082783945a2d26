import './provided-context.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * A fresh database for one test file or test, cloned from the migrated template of the run's
 * PostgreSQL cluster; returns its URL. Tests get their own state and can run in parallel.
 */
export async function createTestDatabase(prefix = 't'): Promise<string> {
  const { url, template } = inject('hostwatchPostgres');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await client.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}
