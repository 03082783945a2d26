import type { Database } from '@hostwatch/db';
import { createTestDatabase } from '@hostwatch/testkit';
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { buildApp, type ApiDependencies } from '../../src/app.js';
import { ApiTokens } from '../../src/auth/api-tokens.js';
import { createApiDb } from '../../src/db/create-api-db.js';
import { seedFleet } from './seed-fleet.js';

/** The read and admin tokens every test app accepts. */
export const READ_TOKEN = 'read-token-0123456789abcdef';
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

/** An API app on its own seeded database, with the clock fixed at `now`. */
export interface TestApi {
  readonly app: FastifyInstance;
  readonly db: Kysely<Database>;
  readonly now: Date;
  /** The database's connection string. */
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the app over a fresh, migrated and seeded database. */
export async function startTestApi(overrides: Partial<ApiDependencies> = {}): Promise<TestApi> {
  const url = await createTestDatabase('api');
  // The API's own pool, named prepared statements and all, as `hostwatch api` runs it.
  const db = createApiDb(url);
  const now = new Date();
  await seedFleet(db, now);
  const app = await buildApp({
    db,
    tokens: new ApiTokens({ read: [READ_TOKEN], admin: [ADMIN_TOKEN] }),
    checks: { postgres: async () => void (await sql`SELECT 1`.execute(db)) },
    now: () => now,
    ...overrides,
  });
  await app.ready();
  return {
    app,
    db,
    now,
    url,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

/** Headers carrying a bearer token. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
