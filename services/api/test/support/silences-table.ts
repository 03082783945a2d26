import type { Database } from '@hostwatch/db';
import { sql, type Kysely } from 'kysely';

/** The table the silence routes expect (docs/api.md); no committed migration creates it yet. */
export async function createSilencesTable(db: Kysely<Database>): Promise<void> {
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
