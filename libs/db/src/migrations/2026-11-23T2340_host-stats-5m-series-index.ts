import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// A series reads one host's 5-minute rows over a range; ingest's maintenance writes every host's
// rows of a slot together, so one host's rows lie on as many heap pages as there are slots (288
// pages for a day). An index with every column read lets that be an index-only scan of a few pages.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX host_stats_5m_series_idx ON host_stats_5m (host_id, bucket)
      INCLUDE (samples, cpu_samples, cpu_sum, cpu_max, mem_sum, mem_max, swap_sum, swap_max, load1_sum, load1_max, disk_max)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('host_stats_5m_series_idx').ifExists().execute();
}
