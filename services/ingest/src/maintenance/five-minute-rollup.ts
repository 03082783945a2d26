import type pg from 'pg';

/** Width of a slot of the 5-minute rollup, in milliseconds. */
export const FIVE_MINUTES_MS = 300_000;

// Sums in double precision, as the API sums raw samples, so averages from the rollup and from the
// raw samples agree to the last bits of a double.
const ROLLUP = `
INSERT INTO host_stats_5m AS r (host_id, bucket, samples, cpu_samples, cpu_sum, cpu_max, mem_sum, mem_max,
  swap_sum, swap_max, load1_sum, load1_max, disk_max)
SELECT host_id, date_bin('5 minutes', time, 'epoch'), count(*), count(cpu_used_percent),
  coalesce(sum(cpu_used_percent::float8), 0), max(cpu_used_percent), sum(mem_used_percent::float8), max(mem_used_percent),
  sum(swap_used_percent::float8), max(swap_used_percent), sum(load1::float8), max(load1), max(disk_max_used_percent)
FROM host_stats
WHERE time >= $1 AND time < $2
GROUP BY 1, 2
ON CONFLICT (host_id, bucket) DO UPDATE SET
  samples = excluded.samples, cpu_samples = excluded.cpu_samples, cpu_sum = excluded.cpu_sum, cpu_max = excluded.cpu_max,
  mem_sum = excluded.mem_sum, mem_max = excluded.mem_max, swap_sum = excluded.swap_sum, swap_max = excluded.swap_max,
  load1_sum = excluded.load1_sum, load1_max = excluded.load1_max, disk_max = excluded.disk_max`;

// The covered span grows by the slots just aggregated when they touch it; a run after a gap (no
// coverage yet, or maintenance stopped for longer than its window) starts a new span.
const COVER = `
INSERT INTO host_stats_5m_coverage AS c (only_row, covered_from, covered_until) VALUES (true, $1, $2)
ON CONFLICT (only_row) DO UPDATE SET
  covered_from = CASE WHEN $1 > c.covered_until THEN $1 ELSE least(c.covered_from, $1) END,
  covered_until = CASE WHEN $1 > c.covered_until THEN $2 ELSE greatest(c.covered_until, $2) END`;

/**
 * Recomputes the 5-minute stats rollup of every host for the whole 5-minute slots in [`from`,
 * `to`) (`from` rounded down, `to` rounded down to a slot) from the raw samples and records them as
 * covered, in one transaction; idempotent, so running it again over recent slots folds late samples
 * in. Returns the number of rollup rows written.
 */
export async function rollupFiveMinuteStats(client: pg.ClientBase, from: Date, to: Date): Promise<number> {
  const start = new Date(Math.floor(from.getTime() / FIVE_MINUTES_MS) * FIVE_MINUTES_MS);
  const end = new Date(Math.floor(to.getTime() / FIVE_MINUTES_MS) * FIVE_MINUTES_MS);
  if (end <= start) return 0;
  await client.query('BEGIN');
  try {
    const result = await client.query(ROLLUP, [start, end]);
    await client.query(COVER, [start, end]);
    await client.query('COMMIT');
    return result.rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Drops the 5-minute rollup before `cutoff` (as raw samples past retention are dropped) and moves
 * the start of its coverage there, in one statement: a reader never sees the coverage claim slots
 * whose rows are already gone. Returns the number of rows deleted.
 */
export async function expireFiveMinuteStats(client: pg.ClientBase, cutoff: Date): Promise<number> {
  const start = new Date(Math.ceil(cutoff.getTime() / FIVE_MINUTES_MS) * FIVE_MINUTES_MS);
  const result = await client.query(
    `WITH moved AS (
       UPDATE host_stats_5m_coverage SET covered_from = least(greatest(covered_from, $1), covered_until)
     )
     DELETE FROM host_stats_5m WHERE bucket < $1`,
    [start],
  );
  return result.rowCount ?? 0;
}
