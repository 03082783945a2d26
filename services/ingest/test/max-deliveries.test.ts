import { STREAM_NAME } from '@hostwatch/contract';
import { waitFor } from '@hostwatch/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MaxDeliveriesCapture, silentLog } from '../src/index.js';
import { startIngestWorld, statsMessage, type IngestWorld } from './support/ingest-world.js';

let world: IngestWorld;
let capture: MaxDeliveriesCapture | undefined;
beforeEach(async () => {
  world = await startIngestWorld({ consumer: { ackWaitMs: 1000, maxDeliver: 2 } });
});
afterEach(async () => {
  await capture?.stop();
  await world.dispose();
});

describe('a message that runs out of deliveries', () => {
  it('is captured from the advisory, fetched by stream sequence and kept in the quarantine', async () => {
    capture = new MaxDeliveriesCapture({
      nc: world.nc,
      jsm: await jetstreamManager(world.nc),
      pool: world.pool,
      log: silentLog,
      quarantineMaxBytes: 65_536,
      consumer: 'ingest',
    });
    capture.start();
    await world.nc.flush();

    const web01 = await world.addHost('web-01');
    const m = statsMessage('web-01', 1);
    const seq = await world.publish(web01, 'stats', m.id, m.body);

    // A consumer that takes the message and dies before acknowledging it, every time.
    const consumer = await jetstream(world.nc).consumers.get(STREAM_NAME, 'ingest');
    for (let delivery = 1; delivery <= 2; delivery++) {
      const msg = await waitFor(`delivery ${delivery}`, () =>
        consumer.next({ expires: 1000 }).then((x) => x ?? undefined),
      );
      expect(msg.info.deliveryCount).toBe(delivery);
    }

    const row = await waitFor('the quarantine row', async () => {
      // The server notices the exhausted message when it looks for one to deliver: keep asking.
      expect(await consumer.next({ expires: 1000 })).toBeNull();
      const { rows } = await world.pool.query<{
        reason: string;
        subject: string;
        stream_seq: string;
        deliveries: number;
        host_id: string;
        message_id: string;
        data: Buffer;
      }>('SELECT reason, subject, stream_seq, deliveries, host_id, message_id, data FROM quarantine');
      return rows[0];
    });
    const stored = await (await jetstreamManager(world.nc)).streams.getMessage(STREAM_NAME, { seq });
    expect(row).toMatchObject({
      reason: 'max_deliveries',
      subject: 'hostwatch.web-01.stats',
      stream_seq: String(seq),
      deliveries: 2,
      host_id: 'web-01',
      message_id: m.id,
    });
    expect(Buffer.compare(row.data, Buffer.from(stored?.data ?? []))).toBe(0);
  });
});
