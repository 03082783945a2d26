import type pg from 'pg';
import { sampleParameters, type PreparedSample, type StatsItem } from './stats-writer.js';

// One row per host, replaced only by a sample that is newer: greatest time, then boot id (byte
// order) and sequence. A re-delivered or late sample leaves it as it is, whatever order the
// batches commit in. Rows are written in host id order, so two batches never wait on each other's
// rows in opposite orders.
const UPSERT_LATEST = `
INSERT INTO host_latest AS l (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes,
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
ORDER BY u.host_id
ON CONFLICT (host_id) DO UPDATE SET
  time = excluded.time, boot_id = excluded.boot_id, seq = excluded.seq, cpu_count = excluded.cpu_count,
  cpu_used_percent = excluded.cpu_used_percent, mem_total_bytes = excluded.mem_total_bytes,
  mem_available_bytes = excluded.mem_available_bytes, mem_used_percent = excluded.mem_used_percent,
  swap_total_bytes = excluded.swap_total_bytes, swap_free_bytes = excluded.swap_free_bytes,
  swap_used_percent = excluded.swap_used_percent, load1 = excluded.load1, load5 = excluded.load5,
  load15 = excluded.load15, uptime_seconds = excluded.uptime_seconds, processes = excluded.processes,
  disk_max_used_percent = excluded.disk_max_used_percent, detail = excluded.detail,
  message_id = excluded.message_id, received_at = now()
WHERE (l.time, l.boot_id COLLATE "C", l.seq) < (excluded.time, excluded.boot_id COLLATE "C", excluded.seq)`;

/** Whether sample `a` is newer than `b` in host_latest's order (time, then boot id, then sequence). */
function newer(a: StatsItem['message'], b: StatsItem['message']): boolean {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  if (ta !== tb) return ta > tb;
  if (a.bootId !== b.bootId) return a.bootId > b.bootId;
  return a.seq > b.seq;
}

/**
 * Keeps `host_latest` at each host's newest sample: the newest of `items` per host replaces the
 * stored row only when it is newer. Run in the transaction that stores the samples, after the
 * hosts rows are touched, so every batch takes its row locks in the same order. `parameters` are
 * the samples' own (`sampleParameters`), reused as they are when no host appears twice, the usual
 * case of a batch.
 */
export async function writeLatestStats(
  client: pg.ClientBase,
  samples: readonly PreparedSample[],
  parameters: readonly string[] = sampleParameters(samples),
): Promise<void> {
  if (samples.length === 0) return;
  const newest = new Map<string, PreparedSample>();
  for (const sample of samples) {
    const seen = newest.get(sample.message.hostId);
    if (seen === undefined || newer(sample.message, seen.message)) newest.set(sample.message.hostId, sample);
  }
  await client.query({
    name: 'ingest_latest_stats_v1',
    text: UPSERT_LATEST,
    values: newest.size === samples.length ? [...parameters] : sampleParameters([...newest.values()]),
  });
}
