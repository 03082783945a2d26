import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { TamperedError } from '@hostwatch/envelope';
import { afterEach, describe, expect, it } from 'vitest';
import { MainThreadLink, RecordingFailedError, decodeOpenedItems, sampledStats, type FromStreamWorker, type HostMessageItem, type ToStreamWorker } from '../src/index.js';
import { T0, sshEvent, statsMessage } from './support/alerter-world.js';

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

/** A link on one end of a real message channel; what arrives at the other end, and a way to answer from it. */
function linked() {
  const { port1: worker, port2: main } = new MessageChannel();
  ports.push(worker, main);
  const link = new MainThreadLink(worker);
  worker.on('message', (m: ToStreamWorker) => link.receive(m));
  const received: FromStreamWorker[] = [];
  let arrived = (): void => undefined;
  main.on('message', (m: FromStreamWorker) => {
    received.push(m);
    arrived();
  });
  const next = async (): Promise<FromStreamWorker> => {
    while (received.length === 0) await new Promise<void>((resolve) => (arrived = resolve));
    return received.shift()!;
  };
  return { link, next, answer: (m: ToStreamWorker) => main.postMessage(m) };
}

const items: HostMessageItem[] = [
  { hostId: 'app', messageId: 'app:boot-1:1', message: sampledStats(statsMessage('app', T0, { memory: 91, cpu: 12, disks: { '/': 50, '/var': 97 }, addresses: ['10.0.0.5'] })) },
  { hostId: 'app', messageId: 'ssh-1', message: { v: 1, kind: 'ssh', hostId: 'app', events: [sshEvent('e1', T0, 'failed', { source: '203.0.113.9', user: 'root' })] } },
  { hostId: 'db', messageId: 'db:boot-1:1', message: sampledStats({ ...statsMessage('db', T0 + 1, { memory: 20 }), cpu: { count: 2, cores: [10, 30] } }) },
];

describe('MainThreadLink', () => {
  it('settles a batch when the main thread answers: resolved after a commit, rejected with the reason otherwise', async () => {
    const { link, next, answer } = linked();
    const first = link.record(link.prepare(items));
    const second = link.record(link.prepare(items.slice(0, 1))).then(
      () => undefined,
      (err: unknown) => err,
    );
    const a = await next();
    const b = await next();
    if (a.type !== 'batch' || b.type !== 'batch') throw new Error('expected two batches');
    expect(decodeOpenedItems(a.items)).toEqual(items);
    // Answers may come in any order; each settles its own batch.
    answer({ type: 'recorded', id: b.id, error: 'database is down' });
    answer({ type: 'recorded', id: a.id });
    await expect(first).resolves.toBeUndefined();
    const failure = await second;
    expect(failure).toBeInstanceOf(RecordingFailedError);
    expect((failure as Error).message).toBe('database is down');
  });

  it('passes log records on with the bindings of their child loggers, and an error with its name, message and own fields', async () => {
    const { link, next } = linked();
    const err = new TamperedError('message m1 of host app failed authentication', { hostId: 'app', messageId: 'm1', cause: new Error('bad tag') });
    link.log.child({ thread: 'stream-worker' }).child({ component: 'nats' }).warn({ err, count: 3n, subject: 'hostwatch.app.stats' }, 'message refused; terminated');
    const record = await next();
    expect(record).toMatchObject({
      type: 'log',
      level: 'warn',
      msg: 'message refused; terminated',
      obj: {
        thread: 'stream-worker',
        component: 'nats',
        subject: 'hostwatch.app.stats',
        count: '3',
        err: { type: 'TamperedError', reason: 'tampered', hostId: 'app', messageId: 'm1', message: 'message m1 of host app failed authentication', cause: { message: 'bad tag' } },
      },
    });
  });

  it("counts in the main thread's metrics and tells it when a batch settled", async () => {
    const { link, next } = linked();
    link.metrics.messages.inc({ kind: 'stats', result: 'refused' });
    link.metrics.messages.inc({ kind: 'stats', result: 'ok' }, 4_999);
    link.metrics.batchSize.observe(4_999);
    link.settled(false);
    link.ready();
    expect([await next(), await next(), await next(), await next(), await next()]).toEqual([
      { type: 'count', kind: 'stats', result: 'refused', n: 1 },
      { type: 'count', kind: 'stats', result: 'ok', n: 4_999 },
      { type: 'batch-size', n: 4_999 },
      { type: 'settled', healthy: false },
      { type: 'ready' },
    ]);
  });
});
