import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// The alerter rewrote every host's row (name, addresses, progress) and inserted and later deleted
// one jsonb sample row per stats message: three row writes and a jsonb parse per message, most of
// PostgreSQL's share of evaluating a stats message. Progress and the samples waiting out the
// lateness now live in one narrow row per host, the samples as compact JSON text that PostgreSQL
// stores without parsing; `alerter_hosts` keeps name and addresses, written only when they change.
// Samples waiting at the upgrade move over, so none is forgotten.

export async function up(db: Kysely<any>): Promise<void> {
  // Each row is rewritten in every batch that carries the host: free room on its page lets the new
  // version stay there (a HOT update), so the primary key index is not touched.
  await sql`
    CREATE TABLE alerter_host_progress (
      host_id text PRIMARY KEY,
      last_stats_time timestamptz,
      applied_until timestamptz,
      waiting text NOT NULL DEFAULT '[]',
      waiting_since timestamptz
    ) WITH (fillfactor = 50)`.execute(db);
  await sql`
    INSERT INTO alerter_host_progress (host_id, last_stats_time, applied_until, waiting, waiting_since)
    SELECT h.host_id, h.last_stats_time, h.applied_until,
      coalesce((
        SELECT json_agg(json_build_array(
            s.message_id, round(extract(epoch FROM s.time) * 1000), round(extract(epoch FROM s.received_at) * 1000),
            json_build_array(
              s.sample->'hostname', s.sample->'addresses', s.sample->'cpu'->'count', s.sample->'cpu'->'usedPercent',
              coalesce(s.sample->'cpu'->'cores', '[]'::jsonb), s.sample->'memory'->'usedPercent',
              s.sample->'swap'->'totalBytes', s.sample->'swap'->'usedPercent', s.sample->'load',
              (SELECT coalesce(json_agg(json_build_array(d->'mount', d->'usedPercent')), '[]'::json) FROM jsonb_array_elements(s.sample->'disks') d)))
          ORDER BY s.time)
        FROM alerter_samples s WHERE s.host_id = h.host_id)::text, '[]'),
      (SELECT min(s.received_at) FROM alerter_samples s WHERE s.host_id = h.host_id)
    FROM alerter_hosts h`.execute(db);
  await sql`DROP TABLE alerter_samples`.execute(db);
  await sql`ALTER TABLE alerter_hosts DROP COLUMN last_stats_time, DROP COLUMN applied_until`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE alerter_hosts ADD COLUMN last_stats_time timestamptz, ADD COLUMN applied_until timestamptz`.execute(db);
  await sql`
    UPDATE alerter_hosts h SET last_stats_time = p.last_stats_time, applied_until = p.applied_until
      FROM alerter_host_progress p WHERE p.host_id = h.host_id`.execute(db);
  await sql`
    CREATE TABLE alerter_samples (
      host_id text NOT NULL,
      message_id text NOT NULL,
      time timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      sample jsonb NOT NULL,
      PRIMARY KEY (host_id, message_id)
    )`.execute(db);
  await sql`CREATE INDEX alerter_samples_time_idx ON alerter_samples (host_id, time)`.execute(db);
  await sql`
    INSERT INTO alerter_samples (host_id, message_id, time, received_at, sample)
    SELECT p.host_id, w->>0, to_timestamp((w->>1)::float8 / 1000), to_timestamp((w->>2)::float8 / 1000),
      jsonb_build_object(
        'hostname', w->3->0, 'addresses', w->3->1,
        'cpu', jsonb_strip_nulls(jsonb_build_object('count', w->3->2, 'usedPercent', w->3->3, 'cores', w->3->4)),
        'memory', jsonb_build_object('usedPercent', w->3->5),
        'swap', jsonb_build_object('totalBytes', w->3->6, 'usedPercent', w->3->7),
        'load', w->3->8,
        'disks', (SELECT coalesce(jsonb_agg(jsonb_build_object('mount', d->0, 'usedPercent', d->1)), '[]'::jsonb) FROM jsonb_array_elements(w->3->9) d))
    FROM alerter_host_progress p, jsonb_array_elements(p.waiting::jsonb) w`.execute(db);
  await db.schema.dropTable('alerter_host_progress').execute();
}
