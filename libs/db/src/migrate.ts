import { Migrator, type Kysely, type MigrationResult, type MigrationProvider, type Migration } from 'kysely';
import { createDb } from './connect.js';
import { MIGRATIONS } from './migrations/index.js';

/** Thrown when a migration fails; names it and keeps the database error as `cause`. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    message: string,
    readonly migration: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...MIGRATIONS };
  }
}

/** Applies every pending migration to the database at `url` (or an open kysely); returns what ran. */
export async function migrateToLatest(target: string | Kysely<unknown>): Promise<readonly MigrationResult[]> {
  const db = typeof target === 'string' ? createDb(target, { maxConnections: 1, applicationName: 'hostwatch migrate' }) : target;
  try {
    const migrator = new Migrator({ db, provider: new StaticProvider() });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error) {
      const failed = results.find((r) => r.status === 'Error')?.migrationName;
      const why = error instanceof Error ? error.message : String(error);
      throw new MigrationError(`migration ${failed ?? '(before any ran)'} failed: ${why}`, failed, { cause: error });
    }
    return results;
  } finally {
    if (typeof target === 'string') await db.destroy();
  }
}

/** Names of the migrations this build knows, oldest first. */
export function knownMigrations(): readonly string[] {
  return Object.keys(MIGRATIONS).sort();
}
