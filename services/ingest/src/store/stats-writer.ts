import type { StatsMessageV1 } from '@hostwatch/contract';
import type pg from 'pg';
import { pgArrayLiteral } from './pg-array-literal.js';

/** A stats message to store, with the id it arrived under. */
export interface StatsItem {
  readonly messageId: string;
  readonly message: StatsMessageV1;
}

// The details travel as one JSON array document beside the column arrays: one jsonb parse of the
// whole batch costs a fraction of a jsonb[] array literal with every document escaped inside it.
// Rows go in primary key order: a batch that meets another one's uncommitted row waits for it,
// and two batches holding the same samples in opposite orders would otherwise deadlock.
const INSERT_STATS = `
INSERT INTO host_stats (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes,
  mem_available_bytes, mem_used_percent, swap_total_bytes, swap_free_bytes, swap_used_percent,
  load1, load5, load15, uptime_seconds, processes, disk_max_used_percent, detail, message_id)
SELECT u.host_id, u.time, u.boot_id, u.seq, u.cpu_count, u.cpu_used, u.mem_total, u.mem_available, u.mem_used,
  u.swap_total, u.swap_free, u.swap_used, u.load1, u.load5, u.load15, u.uptime, u.processes, u.disk, d.detail, u.message_id
FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[], $5::int[], $6::real[],
  $7::bigint[], $8::bigint[], $9::real[], $10::bigint[], $11::bigint[], $12::real[], $13::real[],
  $14::real[], $15::real[], $16::float8[], $17::int[], $18::real[], $19::text[]) WITH ORDINALITY
  AS u(host_id, time, boot_id, seq, cpu_count, cpu_used, mem_total, mem_available, mem_used, swap_total, swap_free,
       swap_used, load1, load5, load15, uptime, processes, disk, message_id, n)
JOIN jsonb_array_elements($20::jsonb) WITH ORDINALITY AS d(detail, n) ON d.n = u.n
ORDER BY u.host_id, u.time, u.boot_id, u.seq
ON CONFLICT DO NOTHING
RETURNING message_id`;

/** A sample as the stats tables store it: the column values in INSERT order, and its detail as JSON. */
export interface SampleRow {
  /** host_id … disk_max_used_percent, then message_id: 19 values. */
  readonly values: unknown[];
  /** The detail column's JSON document. */
  readonly detail: string;
}

/** The columns of one sample, shared by host_stats and host_latest. */
export function sampleRow(messageId: string, m: StatsMessageV1): SampleRow {
  const disk = m.disks.reduce<number | null>(
    (max, d) => (max === null || d.usedPercent > max ? d.usedPercent : max),
    null,
  );
  return {
    values: [
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
      messageId,
    ],
    detail: JSON.stringify({
      cores: m.cpu.cores,
      disks: m.disks,
      network: m.network,
      agent: m.agent,
      os: m.os,
      intervalMs: m.intervalMs,
    }),
  };
}

/** A stats item with its row built once, for every table the batch writes it to. */
export interface PreparedSample extends StatsItem {
  readonly row: SampleRow;
}

/** Builds each item's row (column values and detail JSON) once. */
export function prepareSamples(items: readonly StatsItem[]): PreparedSample[] {
  return items.map((item) => ({ ...item, row: sampleRow(item.messageId, item.message) }));
}

/**
 * The statement parameters of `samples`: one array literal per column, then every detail in one
 * JSON array document. Plain strings, so the statements of a batch can share them.
 */
export function sampleParameters(samples: readonly PreparedSample[]): string[] {
  const columns: unknown[][] = Array.from({ length: 19 }, () => new Array<unknown>(samples.length));
  samples.forEach(({ row }, i) => row.values.forEach((v, c) => ((columns[c] as unknown[])[i] = v)));
  return [...columns.map(pgArrayLiteral), `[${samples.map(({ row }) => row.detail).join(',')}]`];
}

/**
 * Inserts stats samples with one `INSERT … SELECT FROM unnest(arrays)` (a named prepared
 * statement); a sample already stored is skipped by the primary key. Returns the ids of the
 * messages that added a row.
 */
export async function writeStats(
  client: pg.ClientBase,
  samples: readonly PreparedSample[],
  parameters: readonly string[] = sampleParameters(samples),
): Promise<Set<string>> {
  if (samples.length === 0) return new Set();
  const { rows } = await client.query<{ message_id: string }>({
    name: 'ingest_stats_v3',
    text: INSERT_STATS,
    values: [...parameters],
  });
  return new Set(rows.map((r) => r.message_id));
}
