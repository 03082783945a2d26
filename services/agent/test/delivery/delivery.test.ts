import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STREAM_NAME, subjectFor } from '@hostwatch/contract';
import { generateCollectorKeyPair, generateHostKeyPair, Sealer, statsMessageId } from '@hostwatch/envelope';
import { ensureTopology } from '@hostwatch/nats';
import { startTestNatsServer, waitFor, type TestNatsServer } from '@hostwatch/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Delivery } from '../../src/delivery/delivery.js';
import { jetStreamPublisher } from '../../src/delivery/jetstream-publisher.js';
import { Spool } from '../../src/delivery/spool.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function storedIds(nc: NatsConnection): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(STREAM_NAME, { durable_name: 'check', ack_policy: AckPolicy.Explicit });
  const consumer = await jetstream(nc).consumers.get(STREAM_NAME, 'check');
  const ids: string[] = [];
  const info = await jsm.streams.info(STREAM_NAME);
  if (info.state.messages === 0) return ids;
  const batch = await consumer.fetch({ max_messages: info.state.messages, expires: 2_000 });
  for await (const m of batch as AsyncIterable<JsMsg>) {
    ids.push(m.headers?.get('Nats-Msg-Id') ?? '');
    m.ack();
    if (ids.length === info.state.messages) break;
  }
  return ids;
}

async function setup(): Promise<{ server: TestNatsServer; nc: NatsConnection; sealer: Sealer; spoolDir: string }> {
  const server = await startTestNatsServer();
  cleanups.push(() => server.dispose());
  const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  cleanups.push(() => nc.close());
  await ensureTopology(nc);
  const collector = generateCollectorKeyPair();
  const sealer = new Sealer(generateHostKeyPair('web-01'), collector);
  const spoolDir = await mkdtemp(join(tmpdir(), 'hostwatch-delivery-'));
  return { server, nc, sealer, spoolDir };
}

function sealStats(sealer: Sealer, seq: number): { subject: string; sealed: ReturnType<Sealer['seal']> } {
  const subject = subjectFor('web-01', 'stats');
  const id = statsMessageId({ hostId: 'web-01', bootId: 'b00t', sequence: seq });
  return { subject, sealed: sealer.seal(subject, id, new TextEncoder().encode(JSON.stringify({ seq }))) };
}

describe('Delivery', () => {
  it('publishes directly and runs onAcked only after the stream acknowledged', async () => {
    const { nc, sealer, spoolDir } = await setup();
    const spool = await Spool.open(spoolDir);
    const delivery = new Delivery({ publish: jetStreamPublisher(jetstream(nc)), spool, log: quiet });
    const acked: number[] = [];
    for (let seq = 0; seq < 5; seq++) {
      const { subject, sealed } = sealStats(sealer, seq);
      await delivery.send(subject, sealed, async () => void acked.push(seq));
    }
    expect(acked).toEqual([0, 1, 2, 3, 4]);
    expect(spool.depth).toBe(0);
    expect(delivery.health().lastAckAt).toBeDefined();
    expect(await storedIds(nc)).toHaveLength(5);
    await delivery.stop();
  });

  it('spools while NATS is down and replays everything once, in order, when it is back', async () => {
    const { server, nc, sealer, spoolDir } = await setup();
    const spool = await Spool.open(spoolDir);
    const delivery = new Delivery({
      publish: jetStreamPublisher(jetstream(nc), 1_000),
      spool,
      log: quiet,
      retryMs: 100,
      maxRetryMs: 500,
    });
    const acked: number[] = [];
    const send = async (seq: number): Promise<void> => {
      const { subject, sealed } = sealStats(sealer, seq);
      await delivery.send(subject, sealed, async () => void acked.push(seq));
    };
    await send(0);
    await server.stop();
    for (let seq = 1; seq <= 10; seq++) await send(seq);
    expect(spool.depth).toBeGreaterThanOrEqual(9);
    expect(acked).toEqual([0]);
    await server.restart();
    await waitFor('spool to drain', () => (spool.depth === 0 && acked.length === 11 ? true : undefined), { timeoutMs: 30_000 });
    expect(acked).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const ids = await storedIds(nc);
    expect(ids).toEqual(Array.from({ length: 11 }, (_, seq) => statsMessageId({ hostId: 'web-01', bootId: 'b00t', sequence: seq })));
    await delivery.stop();
  });

  it('replays a spool left by a crashed agent with the same message ids', async () => {
    const { server, nc, sealer, spoolDir } = await setup();
    await server.stop();
    const first = await Spool.open(spoolDir);
    const down = new Delivery({ publish: jetStreamPublisher(jetstream(nc), 300), spool: first, log: quiet, retryMs: 50 });
    for (let seq = 0; seq < 4; seq++) {
      const { subject, sealed } = sealStats(sealer, seq);
      await down.send(subject, sealed);
    }
    await down.stop();
    await first.close();

    await server.restart();
    await waitFor('reconnect', () => (nc.isClosed() ? undefined : nc.flush().then(() => true)), { timeoutMs: 20_000 });
    const second = await Spool.open(spoolDir);
    expect(second.depth).toBe(4);
    const up = new Delivery({ publish: jetStreamPublisher(jetstream(nc)), spool: second, log: quiet, retryMs: 50 });
    await waitFor('replay', () => (second.depth === 0 ? true : undefined), { timeoutMs: 20_000 });
    await up.stop();
    expect(await storedIds(nc)).toEqual(
      Array.from({ length: 4 }, (_, seq) => statsMessageId({ hostId: 'web-01', bootId: 'b00t', sequence: seq })),
    );
  });
});
