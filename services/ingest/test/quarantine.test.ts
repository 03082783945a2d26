import { STREAM_NAME, subjectFor } from '@hostwatch/contract';
import { ENVELOPE_HEADERS, MAX_SEALED_BYTES, generateHostKeyPair } from '@hostwatch/envelope';
import { waitFor } from '@hostwatch/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestService } from '../src/index.js';
import {
  eventMessage,
  sshMessage,
  startIngestWorld,
  statsMessage,
  type IngestWorld,
} from './support/ingest-world.js';
import { runIngestIn } from './support/run-ingest.js';

let world: IngestWorld;
let ingest: IngestService | undefined;
beforeEach(async () => {
  world = await startIngestWorld();
});
afterEach(async () => {
  await ingest?.stop();
  ingest = undefined;
  await world.dispose();
});

async function consumerSettled(): Promise<void> {
  const jsm = await jetstreamManager(world.nc);
  await waitFor('every message acknowledged or terminated', async () => {
    const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
    return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
  });
}

describe('refused messages', () => {
  it('quarantines forged, replayed-elsewhere, tampered, oversized and invalid messages with their reason while the valid ones of the batch are stored', async () => {
    const web01 = await world.addHost('web-01');
    const web02 = await world.addHost('web-02');
    const gone = await world.addHost('gone-01', 'revoked');
    const stranger = generateHostKeyPair('web-01');

    const now = new Date();
    const valid = statsMessage('web-01', 1, now);
    await world.publish(web01, 'stats', valid.id, valid.body);

    // Forged: sealed with a key the registry does not know.
    const forged = statsMessage('web-01', 2, now);
    await world.publish(stranger, 'stats', forged.id, forged.body);
    // Forged harder: the attacker's own key, but the headers claim web-01's key id.
    const impostor = world
      .sealer(stranger)
      .seal(subjectFor('web-01', 'stats'), statsMessage('web-01', 3).id, Buffer.from('{}'));
    await world.publishRaw(subjectFor('web-01', 'stats'), impostor.data, {
      ...impostor.headers,
      [ENVELOPE_HEADERS.hostKeyId]: web01.keyId,
    });

    // Replayed onto another host's subject: web-01's genuine message published as web-02's.
    const moved = world
      .sealer(web01)
      .seal(
        subjectFor('web-01', 'stats'),
        statsMessage('web-01', 4).id,
        Buffer.from(JSON.stringify(statsMessage('web-01', 4).body)),
      );
    await world.publishRaw(subjectFor('web-02', 'stats'), moved.data, moved.headers);

    // Tampered: one ciphertext byte flipped.
    const original = statsMessage('web-01', 5, now);
    const sealed = world
      .sealer(web01)
      .seal(subjectFor('web-01', 'stats'), original.id, Buffer.from(JSON.stringify(original.body)));
    const flipped = Buffer.from(sealed.data);
    flipped[20] = (flipped[20] ?? 0) ^ 0xff;
    await world.publishRaw(subjectFor('web-01', 'stats'), flipped, sealed.headers);

    // Oversized: more bytes than any sealed message may have (the stream itself takes up to 1 MiB).
    const huge = Buffer.alloc(MAX_SEALED_BYTES + 1000, 7);
    huge[0] = 1;
    await world.publishRaw(subjectFor('web-01', 'stats'), huge, {
      ...sealed.headers,
      [ENVELOPE_HEADERS.messageId]: 'web-01.stats.boot-1.99',
    });

    // Invalid: authentic, but not a stats message, and not JSON at all.
    await world.publish(web01, 'stats', 'web-01.stats.boot-1.6', { v: 1, kind: 'stats', hostId: 'web-01' });
    const notJson = world
      .sealer(web01)
      .seal(subjectFor('web-01', 'stats'), 'web-01.stats.boot-1.7', Buffer.from('not json'));
    await world.publishRaw(subjectFor('web-01', 'stats'), notJson.data, notJson.headers);

    // Revoked: the host's key was revoked.
    const late = statsMessage('gone-01', 1, now);
    await world.publish(gone, 'stats', late.id, late.body);

    // More valid ones in the same batch, one of each kind, from two hosts.
    const other = statsMessage('web-02', 1, now);
    await world.publish(web02, 'stats', other.id, other.body);
    const ssh = sshMessage('web-01', 0, [
      {
        id: 'e1',
        time: now,
        event: 'failed',
        session: 's1',
        source: '203.0.113.9',
        user: 'root',
        method: 'password',
      },
    ]);
    await world.publish(web01, 'ssh', ssh.id, ssh.body);
    const sudo = eventMessage('web-01', 0, now);
    await world.publish(web01, 'event', sudo.id, sudo.body);

    ingest = await runIngestIn(world, { QUARANTINE_MAX_BYTES: '1024' });
    await consumerSettled();

    const { rows } = await world.pool.query<{
      reason: string;
      subject: string;
      host_id: string | null;
      data: Buffer;
      data_bytes: number;
      headers: Record<string, string>;
      stream_seq: string;
    }>(
      'SELECT reason, subject, host_id, data, data_bytes, headers, stream_seq FROM quarantine ORDER BY stream_seq',
    );
    expect(rows.map((r) => [r.subject, r.reason])).toEqual([
      ['hostwatch.web-01.stats', 'unknown_key'],
      ['hostwatch.web-01.stats', 'tampered'],
      ['hostwatch.web-02.stats', 'host_mismatch'],
      ['hostwatch.web-01.stats', 'tampered'],
      ['hostwatch.web-01.stats', 'too_large'],
      ['hostwatch.web-01.stats', 'schema_invalid'],
      ['hostwatch.web-01.stats', 'invalid_json'],
      ['hostwatch.gone-01.stats', 'revoked_key'],
    ]);
    const oversized = rows.find((r) => r.reason === 'too_large');
    expect(oversized?.data.length).toBe(1024);
    expect(oversized?.data_bytes).toBe(MAX_SEALED_BYTES + 1000);
    expect(rows[0]?.headers[ENVELOPE_HEADERS.hostKeyId]).toBe(stranger.keyId);
    expect(rows[0]?.host_id).toBe('web-01');

    const stats = await world.pool.query<{ host_id: string; seq: string }>(
      'SELECT host_id, seq FROM host_stats ORDER BY host_id',
    );
    expect(stats.rows).toEqual([
      { host_id: 'web-01', seq: '1' },
      { host_id: 'web-02', seq: '1' },
    ]);
    expect(await world.count('ssh_events')).toBe(1);
    expect(await world.count('security_events')).toBe(1);

    const metrics = await (await fetch(`${ingest.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/hostwatch_ingest_rejections_total\{reason="tampered",service="ingest"\} 2/);
    expect(metrics).toMatch(/hostwatch_ingest_rejections_total\{reason="too_large",service="ingest"\} 1/);
    expect(metrics).toMatch(
      /hostwatch_ingest_messages_total\{kind="stats",outcome="stored",service="ingest"\} 2/,
    );
  });

  it('stores a message replayed on its own subject once: the replay is a no-op, not a quarantine', async () => {
    const web01 = await world.addHost('web-01');
    const sample = statsMessage('web-01', 1);
    const sealed = world
      .sealer(web01)
      .seal(subjectFor('web-01', 'stats'), sample.id, Buffer.from(JSON.stringify(sample.body)));
    await world.publishRaw(subjectFor('web-01', 'stats'), sealed.data, sealed.headers);
    ingest = await runIngestIn(world);
    await consumerSettled();
    // The same bytes again, past JetStream's duplicate window (shortened here to 100 ms).
    const jsm = await jetstreamManager(world.nc);
    const { config } = await jsm.streams.info(STREAM_NAME);
    await jsm.streams.update(STREAM_NAME, { ...config, duplicate_window: 100_000_000 });
    await waitFor('the replay taken by the stream as a new message', async () => {
      const h = natsHeaders();
      for (const [k, v] of Object.entries(sealed.headers)) h.set(k, v);
      const ack = await world.js.publish(subjectFor('web-01', 'stats'), sealed.data, { headers: h });
      return ack.duplicate ? undefined : ack;
    });
    await consumerSettled();
    expect(await world.count('host_stats')).toBe(1);
    expect(await world.count('quarantine')).toBe(0);
    const metrics = await (await fetch(`${ingest.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /hostwatch_ingest_messages_total\{kind="stats",outcome="duplicate",service="ingest"\} 1/,
    );
  });

  it('quarantines a message PostgreSQL refuses on its own (store_rejected) and stores the rest of its batch', async () => {
    const web01 = await world.addHost('web-01');
    const now = new Date();
    const good = [1, 2, 3].map((i) => statsMessage('web-01', i, now));
    // Valid by the schema (a whole number >= 0) but beyond PostgreSQL's bigint.
    const huge = statsMessage('web-01', 4, now);
    const body = { ...huge.body, memory: { ...huge.body.memory, totalBytes: 1e20 } };
    await world.publish(web01, 'stats', good[0]!.id, good[0]!.body);
    await world.publish(web01, 'stats', huge.id, body);
    await world.publish(web01, 'stats', good[1]!.id, good[1]!.body);
    await world.publish(web01, 'stats', good[2]!.id, good[2]!.body);
    ingest = await runIngestIn(world);
    await consumerSettled();
    const stats = await world.pool.query<{ seq: string }>('SELECT seq FROM host_stats ORDER BY seq');
    expect(stats.rows.map((r) => r.seq)).toEqual(['1', '2', '3']);
    const q = await world.pool.query<{ reason: string; message_id: string; detail: string }>(
      'SELECT reason, message_id, detail FROM quarantine',
    );
    expect(q.rows).toHaveLength(1);
    expect(q.rows[0]).toMatchObject({ reason: 'store_rejected', message_id: huge.id });
    expect(q.rows[0]?.detail).toMatch(/out of range/);
  });
});
