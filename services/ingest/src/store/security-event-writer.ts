import type { EventMessageV1 } from '@hostwatch/contract';
import type pg from 'pg';

/** An event message to store, with the id it arrived under. */
export interface SecurityEventItem {
  readonly messageId: string;
  readonly message: EventMessageV1;
}

const INSERT_EVENTS = `
INSERT INTO security_events (host_id, event_id, time, type, log_host, username, target, command, tty, allowed, detail, message_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
  $8::text[], $9::text[], $10::boolean[], $11::text[], $12::text[])
ON CONFLICT DO NOTHING
RETURNING message_id`;

/**
 * Inserts security events, each at most once per (host, event id); events dated before
 * `keepFrom` (past retention) are skipped. Returns the ids of the messages that added a row.
 */
export async function writeSecurityEvents(
  client: pg.ClientBase,
  items: readonly SecurityEventItem[],
  keepFrom: number,
): Promise<Set<string>> {
  const columns: unknown[][] = Array.from({ length: 12 }, () => []);
  for (const { messageId, message } of items) {
    for (const e of message.events) {
      if (Date.parse(e.time) < keepFrom) continue;
      const values = [
        message.hostId,
        e.id,
        e.time,
        e.type,
        e.logHost ?? null,
        e.user ?? null,
        e.target ?? null,
        e.command ?? null,
        e.tty ?? null,
        e.allowed ?? null,
        e.detail ?? null,
        messageId,
      ];
      values.forEach((v, c) => (columns[c] as unknown[]).push(v));
    }
  }
  if ((columns[0] as unknown[]).length === 0) return new Set();
  const { rows } = await client.query<{ message_id: string }>({
    name: 'ingest_security_events_v1',
    text: INSERT_EVENTS,
    values: columns,
  });
  return new Set(rows.map((r) => r.message_id));
}
