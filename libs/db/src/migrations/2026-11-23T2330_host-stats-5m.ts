import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// host_stats_5m is the 5-minute rollup of host_stats (sums in double precision, counts, maxima),
// kept by ingest's maintenance as a continuous aggregate: each run re-aggregates the recent slots
// from the raw samples. host_stats_5m_coverage is its one-row high-water mark: every 5-minute slot
// in [covered_from, covered_until) was aggregated from the samples stored when it ran, so a reader
// takes whole slots in that span from the rollup and the rest from host_stats.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE host_stats_5m (
      host_id text NOT NULL,
      bucket timestamptz NOT NULL,
      samples integer NOT NULL,
      cpu_samples integer NOT NULL,
      cpu_sum double precision NOT NULL,
      cpu_max real,
      mem_sum double precision NOT NULL,
      mem_max real NOT NULL,
      swap_sum double precision NOT NULL,
      swap_max real NOT NULL,
      load1_sum double precision NOT NULL,
      load1_max real NOT NULL,
      disk_max real,
      PRIMARY KEY (host_id, bucket)
    )`.execute(db);
  await sql`
    CREATE TABLE host_stats_5m_coverage (
      only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      covered_from timestamptz NOT NULL,
      covered_until timestamptz NOT NULL,
      CHECK (covered_from <= covered_until)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('host_stats_5m_coverage').ifExists().execute();
  await db.schema.dropTable('host_stats_5m').ifExists().execute();
}
