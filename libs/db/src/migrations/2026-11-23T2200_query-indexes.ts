import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// The API's series read a host's samples over a range: a covering index answers from the index
// alone (about 100 buffers instead of 8,700 per 24 h series); fleet-wide session lists and top
// sources scan sessions by start time alone.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX host_stats_series_idx ON host_stats (host_id, time)
    INCLUDE (cpu_used_percent, mem_used_percent, swap_used_percent, load1, disk_max_used_percent)
  `.execute(db);
  await sql`CREATE INDEX ssh_sessions_started_at_idx ON ssh_sessions (started_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX ssh_sessions_started_at_idx`.execute(db);
  await sql`DROP INDEX host_stats_series_idx`.execute(db);
}
