import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// host_latest keeps each host's newest stats sample (greatest sample time, then boot id and
// sequence in byte order), written by ingest in the transaction that stores the sample, so the API
// reads a host's latest stats by primary key instead of probing the partitions of host_stats.
// Every stored sample of a host rewrites its one row: fillfactor 50 leaves room on each page for
// the new row version (a HOT update, no index entry), and autovacuum visits the small table often.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE host_latest (
      host_id text PRIMARY KEY,
      time timestamptz NOT NULL,
      boot_id text NOT NULL,
      seq bigint NOT NULL,
      cpu_count integer NOT NULL,
      cpu_used_percent real,
      mem_total_bytes bigint NOT NULL,
      mem_available_bytes bigint NOT NULL,
      mem_used_percent real NOT NULL,
      swap_total_bytes bigint NOT NULL,
      swap_free_bytes bigint NOT NULL,
      swap_used_percent real NOT NULL,
      load1 real NOT NULL,
      load5 real NOT NULL,
      load15 real NOT NULL,
      uptime_seconds double precision NOT NULL,
      processes integer,
      disk_max_used_percent real,
      detail jsonb NOT NULL,
      message_id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    ) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0)`.execute(
    db,
  );

  // The samples stored before this migration: one backward probe of the primary key per host.
  await sql`
    INSERT INTO host_latest (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes,
      mem_available_bytes, mem_used_percent, swap_total_bytes, swap_free_bytes, swap_used_percent, load1, load5,
      load15, uptime_seconds, processes, disk_max_used_percent, detail, message_id, received_at)
    SELECT s.host_id, s.time, s.boot_id, s.seq, s.cpu_count, s.cpu_used_percent, s.mem_total_bytes,
      s.mem_available_bytes, s.mem_used_percent, s.swap_total_bytes, s.swap_free_bytes, s.swap_used_percent, s.load1,
      s.load5, s.load15, s.uptime_seconds, s.processes, s.disk_max_used_percent, s.detail, s.message_id, s.received_at
    FROM hosts h
    CROSS JOIN LATERAL (
      SELECT * FROM host_stats
       WHERE host_id = h.host_id
       ORDER BY time DESC, boot_id COLLATE "C" DESC, seq DESC
       LIMIT 1
    ) s`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE host_latest`.execute(db);
}
