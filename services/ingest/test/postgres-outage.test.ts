import { STREAM_NAME } from '@hostwatch/contract';
import { migrateToLatest } from '@hostwatch/db';
import { startTestPostgres, waitFor, type TestPostgres } from '@hostwatch/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestService } from '../src/index.js';
import { startIngestWorld, statsMessage, type IngestWorld } from './support/ingest-world.js';
import { runIngestIn } from './support/run-ingest.js';

// Shortened so that "longer than AckWait x MaxDeliver" is seconds, not minutes.
const ACK_WAIT_MS = 1000;
const MAX_DELIVER = 3;

let cluster: TestPostgres;
let world: IngestWorld;
let ingest: IngestService | undefined;
beforeEach(async () => {
  cluster = await startTestPostgres();
  const url = await cluster.createDatabase('outage');
  await migrateToLatest(url);
  world = await startIngestWorld({
    databaseUrl: url,
    consumer: { ackWaitMs: ACK_WAIT_MS, maxDeliver: MAX_DELIVER },
  });
});
afterEach(async () => {
  await ingest?.stop();
  ingest = undefined;
  await world.dispose();
  await cluster.dispose();
});

describe('PostgreSQL unreachable', () => {
  it('for longer than AckWait x MaxDeliver: nothing is quarantined or redelivered, and the backlog drains once it is back', async () => {
    const web01 = await world.addHost('web-01');
    ingest = await runIngestIn(world, {
      INGEST_ACK_WAIT_MS: String(ACK_WAIT_MS),
      INGEST_MAX_DELIVER: String(MAX_DELIVER),
      INGEST_BATCH_SIZE: '100',
      KEY_CACHE_MS: '0',
    });
    const base = Date.now() - 3_600_000;
    for (let i = 1; i <= 50; i++) {
      const m = statsMessage('web-01', i, new Date(base + i * 1000));
      await world.publish(web01, 'stats', m.id, m.body);
    }
    await waitFor('the first messages stored', async () =>
      (await world.count('host_stats')) === 50 ? true : undefined,
    );

    await cluster.stop();
    const stoppedAt = Date.now();
    for (let i = 51; i <= 550; i++) {
      const m = statsMessage('web-01', i, new Date(base + i * 1000));
      await world.publish(web01, 'stats', m.id, m.body);
    }
    const service = ingest;
    await waitFor('ingest to report PostgreSQL unreachable', async () => {
      const res = await fetch(`${service.opsUrl}/readyz`);
      return res.status === 503 ? true : undefined;
    });
    // Stay down for twice AckWait x MaxDeliver: every held message would have run out of deliveries.
    await waitFor(
      'the outage to outlast AckWait x MaxDeliver twice',
      () => (Date.now() - stoppedAt > 2 * ACK_WAIT_MS * MAX_DELIVER ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const jsm = await jetstreamManager(world.nc);
    const during = await jsm.consumers.info(STREAM_NAME, 'ingest');
    // A batch is held (kept alive with progress acks), the rest waits in the stream, nothing was redelivered.
    expect(during.num_ack_pending).toBeGreaterThan(0);
    expect(during.num_pending).toBeGreaterThan(0);
    expect(during.num_redelivered).toBe(0);

    await cluster.start();
    await waitFor(
      'the backlog drained',
      async () => {
        const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
        return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(await world.count('host_stats')).toBe(550);
    expect(await world.count('quarantine')).toBe(0);
    const after = await jsm.consumers.info(STREAM_NAME, 'ingest');
    expect(after.num_redelivered).toBe(0);
    expect((await fetch(`${service.opsUrl}/readyz`)).status).toBe(200);
  });

  it('stopped while PostgreSQL is down: stops without losing or quarantining what it held, and a new replica stores each message once', async () => {
    const web01 = await world.addHost('web-01');
    const settings = {
      INGEST_ACK_WAIT_MS: String(ACK_WAIT_MS),
      INGEST_MAX_DELIVER: String(MAX_DELIVER),
      KEY_CACHE_MS: '0',
    };
    const first = await runIngestIn(world, settings);
    ingest = first;
    await cluster.stop();
    const base = Date.now() - 3_600_000;
    for (let i = 1; i <= 20; i++) {
      const m = statsMessage('web-01', i, new Date(base + i * 1000));
      await world.publish(web01, 'stats', m.id, m.body);
    }
    const jsm = await jetstreamManager(world.nc);
    await waitFor('the first replica holding messages it cannot write', async () => {
      const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
      const ready = await fetch(`${first.opsUrl}/readyz`);
      return info.num_ack_pending > 0 && ready.status === 503 ? true : undefined;
    });
    await first.stop();
    ingest = undefined;
    await cluster.start();
    ingest = await runIngestIn(world, settings);
    await waitFor(
      'the second replica stored everything',
      async () => {
        const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
        return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(await world.count('host_stats')).toBe(20);
    expect(await world.count('quarantine')).toBe(0);
  });
});
