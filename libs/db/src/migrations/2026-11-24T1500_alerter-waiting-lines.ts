import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// The alerter kept a host's waiting samples as one JSON array, so every batch that carried the host
// parsed all of them into objects and wrote all of them out again, though a sample is evaluated once.
// They are now a line per sample, `messageId TAB time TAB receivedAt TAB sample` with the sample's
// positional JSON as it was, so a line is split without parsing and written back as it was read;
// none waiting is the empty text. Samples waiting at the upgrade are rewritten in place, in order.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE alerter_host_progress ALTER COLUMN waiting SET DEFAULT ''`.execute(db);
  await sql`
    UPDATE alerter_host_progress SET waiting = coalesce((
        SELECT string_agg(concat_ws(E'\\t', w->>0, w->>1, w->>2, (w->3)::text), E'\\n' ORDER BY n)
          FROM json_array_elements(waiting::json) WITH ORDINALITY AS e(w, n)), '')
      WHERE waiting LIKE '[%'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    UPDATE alerter_host_progress SET waiting = coalesce((
        SELECT json_agg(json_build_array(
            split_part(line, E'\\t', 1), split_part(line, E'\\t', 2)::float8, split_part(line, E'\\t', 3)::float8,
            regexp_replace(line, '^([^\\t]*\\t){3}', '')::json) ORDER BY n)
          FROM unnest(string_to_array(waiting, E'\\n')) WITH ORDINALITY AS l(line, n))::text, '[]')
      WHERE waiting NOT LIKE '[%'`.execute(db);
  await sql`ALTER TABLE alerter_host_progress ALTER COLUMN waiting SET DEFAULT '[]'`.execute(db);
}
