import type pg from 'pg';

/**
 * Gives web-01's seeded samples uneven values with long decimal expansions, samples without cpu,
 * a stretch without disks and a gap, so that the sums, counts and maxima of a series all matter.
 */
export async function makeSamplesUneven(client: pg.ClientBase): Promise<void> {
  await client.query(
    `UPDATE host_stats SET cpu_used_percent = CASE WHEN seq % 37 = 0 THEN NULL ELSE (seq * 7919 % 1000) / 7.0 END,
            mem_used_percent = 30 + (seq * 104729 % 400) / 3.0, load1 = (seq % 13) / 3.0,
            swap_used_percent = (seq % 5) / 9.0,
            disk_max_used_percent = CASE WHEN seq BETWEEN 100 AND 160 THEN NULL ELSE 40 + seq % 9 + 0.1 END
      WHERE host_id = 'web-01'`,
  );
  await client.query(`DELETE FROM host_stats WHERE host_id = 'web-01' AND seq BETWEEN 300 AND 340`);
}
