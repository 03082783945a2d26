import type pg from 'pg';
import type { QuarantineReason } from '../verify/verdict.js';

/** One refused message, as the quarantine keeps it. */
export interface QuarantineRecord {
  readonly reason: QuarantineReason;
  readonly detail: string;
  readonly subject: string;
  readonly hostId?: string | undefined;
  readonly messageId?: string | undefined;
  /** The stream sequence: a message quarantined twice (redelivered before its `term`) is kept once. */
  readonly streamSeq?: number | undefined;
  readonly deliveries?: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
}

const INSERT_QUARANTINE = `
INSERT INTO quarantine (reason, detail, subject, host_id, message_id, stream_seq, deliveries, headers, data, data_bytes)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::int[],
  $8::jsonb[], $9::bytea[], $10::int[])
ON CONFLICT (stream_seq) DO NOTHING`;

// PostgreSQL text and jsonb cannot hold NUL; what the sender put there is kept visibly replaced.
const clean = (s: string, max: number): string => s.slice(0, max).replaceAll('\u0000', '\uFFFD');

/** Most characters of a reason's detail kept. */
const MAX_DETAIL = 2000;

/**
 * Inserts refused messages into the quarantine, keeping at most `maxBytes` of each one's data
 * (`data_bytes` keeps the full size) and each at most once per stream sequence.
 */
export async function writeQuarantine(
  client: pg.ClientBase,
  records: readonly QuarantineRecord[],
  maxBytes: number,
): Promise<void> {
  if (records.length === 0) return;
  const cols: unknown[][] = Array.from({ length: 10 }, () => []);
  for (const r of records) {
    const data = Buffer.from(r.data.buffer, r.data.byteOffset, Math.min(r.data.byteLength, maxBytes));
    // Header values are the sender's: keep them bounded as well.
    const headers = Object.fromEntries(
      Object.entries(r.headers)
        .slice(0, 32)
        .map(([k, v]) => [clean(k, 256), clean(v, 1024)]),
    );
    const values = [
      r.reason,
      clean(r.detail, MAX_DETAIL),
      clean(r.subject, 1024),
      r.hostId ?? null,
      r.messageId === undefined ? null : clean(r.messageId, 200),
      r.streamSeq ?? null,
      r.deliveries ?? null,
      JSON.stringify(headers),
      data,
      r.data.byteLength,
    ];
    values.forEach((v, i) => (cols[i] as unknown[]).push(v));
  }
  await client.query({ name: 'ingest_quarantine_v1', text: INSERT_QUARANTINE, values: cols });
}
