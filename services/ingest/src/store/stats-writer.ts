import type { StatsMessageV1 } from '@hostwatch/contract';
import type pg from 'pg';

/** A stats message to store, with the id it arrived under. */
export interface StatsItem {
  readonly messageId: string;
  readonly message: StatsMessageV1;
}

const INSERT_STATS = `
INSERT INTO host_stats (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes,
  mem_available_bytes, mem_used_percent, swap_total_bytes, swap_free_bytes, swap_used_percent,
  load1, load5, load15, uptime_seconds, processes, disk_max_used_percent, detail, message_id)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[], $5::int[], $6::real[],
  $7::bigint[], $8::bigint[], $9::real[], $10::bigint[], $11::bigint[], $12::real[], $13::real[],
  $14::real[], $15::real[], $16::float8[], $17::int[], $18::real[], $19::jsonb[], $20::text[])
ON CONFLICT DO NOTHING
RETURNING message_id`;

/**
 * Inserts stats samples with one `INSERT … SELECT FROM unnest(arrays)` (a named prepared
 * statement); a sample already stored is skipped by the primary key. Returns the ids of the
 * messages that added a row.
 */
export async function writeStats(client: pg.ClientBase, items: readonly StatsItem[]): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const columns: unknown[][] = Array.from({ length: 20 }, () => new Array<unknown>(items.length));
  items.forEach(({ messageId, message: m }, i) => {
    const disk = m.disks.reduce<number | null>((max, d) => (max === null || d.usedPercent > max ? d.usedPercent : max), null);
    const values = [
      m.hostId,
      m.time,
      m.bootId,
      m.seq,
      m.cpu.count,
      m.cpu.usedPercent ?? null,
      m.memory.totalBytes,
      m.memory.availableBytes,
      m.memory.usedPercent,
      m.swap.totalBytes,
      m.swap.freeBytes,
      m.swap.usedPercent,
      m.load[0],
      m.load[1],
      m.load[2],
      m.uptimeSeconds,
      m.processes ?? null,
      disk,
      JSON.stringify({ cores: m.cpu.cores, disks: m.disks, network: m.network, agent: m.agent, os: m.os, intervalMs: m.intervalMs }),
      messageId,
    ];
    values.forEach((v, c) => ((columns[c] as unknown[])[i] = v));
  });
  const { rows } = await client.query<{ message_id: string }>({ name: 'ingest_stats_v1', text: INSERT_STATS, values: columns });
  return new Set(rows.map((r) => r.message_id));
}
