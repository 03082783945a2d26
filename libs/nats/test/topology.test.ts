import { jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CONSUMER_NAMES, STREAM_NAME, subjectFor } from '@hostwatch/contract';
import { freePort, startTestNatsServer, type TestNatsServer } from '@hostwatch/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWithBackoff, ensureTopology, StreamConflictError } from '../src/index.js';

const servers: TestNatsServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()?.dispose();
});

async function server(options?: Parameters<typeof startTestNatsServer>[0]): Promise<TestNatsServer> {
  const s = await startTestNatsServer(options);
  servers.push(s);
  return s;
}

const quiet = { info: () => undefined, warn: () => undefined };

describe('ensureTopology', () => {
  it('creates the stream and both durable consumers once, then leaves them unchanged', async () => {
    const s = await server();
    const nc = await connect({ servers: s.url });
    try {
      const first = await ensureTopology(nc);
      expect(first).toEqual({ stream: 'created', consumers: { ingest: 'created', alerter: 'created' } });
      const again = await ensureTopology(nc);
      expect(again).toEqual({ stream: 'unchanged', consumers: { ingest: 'unchanged', alerter: 'unchanged' } });

      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(STREAM_NAME);
      expect(info.config.subjects).toEqual(['hostwatch.>']);
      expect(info.config.retention).toBe('interest');
      expect(info.config.storage).toBe('file');
      expect(info.config.discard).toBe('new');
      for (const name of CONSUMER_NAMES) {
        const consumer = await jsm.consumers.info(STREAM_NAME, name);
        expect(consumer.config.ack_policy).toBe('explicit');
        expect(consumer.config.durable_name).toBe(name);
      }

      const changed = await ensureTopology(nc, { maxBytes: 64 * 1024 * 1024 });
      expect(changed.stream).toBe('updated');
      expect((await jsm.streams.info(STREAM_NAME)).config.max_bytes).toBe(64 * 1024 * 1024);
    } finally {
      await nc.close();
    }
  });

  it('refuses to take over a stream whose retention cannot be changed in place', async () => {
    const s = await server();
    const nc = await connect({ servers: s.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: STREAM_NAME, subjects: ['hostwatch.>'], retention: RetentionPolicy.Workqueue });
      await expect(ensureTopology(nc)).rejects.toBeInstanceOf(StreamConflictError);
      await expect(ensureTopology(nc)).rejects.toThrow(/retention is workqueue, want interest/);
    } finally {
      await nc.close();
    }
  });

  it('refuses new messages when the stream is full instead of dropping stored ones', async () => {
    const s = await server();
    const nc = await connect({ servers: s.url });
    try {
      await ensureTopology(nc, { maxBytes: 4096 });
      const js = jetstream(nc);
      const subject = subjectFor('web-01', 'stats');
      const body = new Uint8Array(1000);
      let accepted = 0;
      let refused: unknown;
      for (let i = 0; i < 20 && !refused; i++) {
        try {
          await js.publish(subject, body, { msgID: `m-${i}` });
          accepted++;
        } catch (err) {
          refused = err;
        }
      }
      expect(refused).toBeInstanceOf(Error);
      expect(String(refused)).toMatch(/maximum bytes exceeded|resource limits exceeded/i);
      const info = await (await jetstreamManager(nc)).streams.info(STREAM_NAME);
      expect(info.state.messages).toBe(accepted);
      expect(info.state.first_seq).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it('drops a re-published message id within the duplicate window', async () => {
    const s = await server();
    const nc = await connect({ servers: s.url });
    try {
      await ensureTopology(nc);
      const js = jetstream(nc);
      const subject = subjectFor('web-01', 'ssh');
      const first = await js.publish(subject, 'a', { msgID: 'web-01.abc.100' });
      const second = await js.publish(subject, 'a', { msgID: 'web-01.abc.100' });
      expect(first.duplicate).toBe(false);
      expect(second.duplicate).toBe(true);
      expect(second.seq).toBe(first.seq);
    } finally {
      await nc.close();
    }
  });
});

describe('connectWithBackoff', () => {
  it('keeps trying until the server comes up', async () => {
    const port = await freePort();
    const pending = connectWithBackoff({ servers: `nats://127.0.0.1:${port}`, name: 'test', log: quiet, initialDelayMs: 50 });
    await new Promise((r) => setTimeout(r, 400));
    await server({ port });
    const nc = await pending;
    expect(nc.getServer()).toBe(`127.0.0.1:${port}`);
    await nc.close();
  });

  it('gives up when aborted', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const pending = connectWithBackoff({
      servers: `nats://127.0.0.1:${port}`,
      name: 'test',
      log: quiet,
      initialDelayMs: 50,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toThrow(/abort/i);
  });
});

describe('streamLimitsFromEnv', () => {
  it('reads the operator limits and refuses bad ones, listing each', async () => {
    const { streamLimitsFromEnv } = await import('../src/index.js');
    expect(streamLimitsFromEnv({ STREAM_REPLICAS: '3', STREAM_MAX_BYTES: '1073741824' })).toEqual({
      replicas: 3,
      maxBytes: 1073741824,
    });
    expect(streamLimitsFromEnv({})).toEqual({});
    expect(() => streamLimitsFromEnv({ STREAM_REPLICAS: '7', STREAM_MAX_AGE_MS: '1.5' })).toThrow(
      /STREAM_REPLICAS must be a whole number from 1 to 5, not "7"; STREAM_MAX_AGE_MS must be a whole number/,
    );
  });
});
