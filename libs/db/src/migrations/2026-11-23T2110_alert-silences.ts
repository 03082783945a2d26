import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// Silences made through the API (docs/api.md); the alerter honours them beside the rules file's.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE alert_silences (
      id bigserial PRIMARY KEY,
      host_id text,
      types text[] NOT NULL DEFAULT '{}',
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL CHECK (ends_at >= starts_at),
      comment text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX alert_silences_ends_idx ON alert_silences (ends_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alert_silences').execute();
}
