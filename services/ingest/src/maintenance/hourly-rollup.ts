import type pg from 'pg';

const ROLLUP = `
INSERT INTO host_stats_hourly AS r (host_id, hour, samples, cpu_samples, cpu_sum, cpu_max, mem_sum, mem_max,
  swap_sum, swap_max, load1_sum, load1_max, disk_max)
SELECT host_id, date_trunc('hour', time, 'UTC'), count(*), count(cpu_used_percent), coalesce(sum(cpu_used_percent), 0),
  max(cpu_used_percent), sum(mem_used_percent), max(mem_used_percent), sum(swap_used_percent), max(swap_used_percent),
  sum(load1), max(load1), max(disk_max_used_percent)
FROM host_stats
WHERE time >= $1 AND time < $2
GROUP BY 1, 2
ON CONFLICT (host_id, hour) DO UPDATE SET
  samples = excluded.samples, cpu_samples = excluded.cpu_samples, cpu_sum = excluded.cpu_sum, cpu_max = excluded.cpu_max,
  mem_sum = excluded.mem_sum, mem_max = excluded.mem_max, swap_sum = excluded.swap_sum, swap_max = excluded.swap_max,
  load1_sum = excluded.load1_sum, load1_max = excluded.load1_max, disk_max = excluded.disk_max`;

/**
 * Recomputes the hourly stats rollup of every host for the hours in [`from`, `to`) from the raw
 * samples; idempotent, so running it again (as samples arrive late) only corrects it. Returns
 * the number of hourly rows written.
 */
export async function rollupHourlyStats(client: pg.ClientBase, from: Date, to: Date): Promise<number> {
  const result = await client.query(ROLLUP, [from, to]);
  return result.rowCount ?? 0;
}
