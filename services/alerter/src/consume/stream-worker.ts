// Entry of the stream worker thread, started by StreamConsumer: reads the alerter's durable
// consumer, opens and validates each batch (X25519 key derivation, AES-GCM, JSON, the schema),
// hands the opened messages to the main thread's evaluator and acknowledges them once the main
// thread says their transaction committed. Wiring only; the logic is in StreamReader, BatchPipeline
// and MainThreadLink.
import { parentPort, workerData } from 'node:worker_threads';
import { Opener } from '@hostwatch/envelope';
import { connectWithBackoff } from '@hostwatch/nats';
import { connectDatabase } from '../store/connect-database.js';
import { MainThreadLink } from './main-thread-link.js';
import { PgKeyRegistry } from './pg-key-registry.js';
import { StreamReader } from './stream-reader.js';
import type { StreamWorkerData, ToStreamWorker } from './worker-protocol.js';

if (!parentPort) throw new Error('stream-worker.js runs as a worker thread of the alerter');
const port = parentPort;
const data = workerData as StreamWorkerData;
const link = new MainThreadLink(port);
const log = link.log.child({ thread: 'stream-worker' });
const abort = new AbortController();
// Resolves when the worker may close its port and end: stopped when asked, or never started.
let stopped: Promise<void> | undefined;
let running: Promise<(() => Promise<void>) | undefined> = Promise.resolve(undefined);
port.on('message', (message: ToStreamWorker) => {
  if (!link.receive(message)) return;
  abort.abort();
  stopped ??= running
    .then((stop) => stop?.())
    // A failed start ends the thread with its own error; a failed stop, with this one.
    .finally(() => port.close());
});

running = (async () => {
  const db = connectDatabase(data.databaseUrl, `hostwatch alerter ${data.replica} stream`, log.child({ component: 'database' }));
  let nc;
  try {
    nc = await connectWithBackoff({
      servers: data.natsUrl,
      name: `hostwatch-alerter ${data.replica} stream`,
      log: log.child({ component: 'nats' }),
      signal: abort.signal,
      ...(data.natsCredentials ? { credentials: data.natsCredentials } : {}),
    });
  } catch (err) {
    await db.destroy();
    // Asked to stop while connecting: nothing was read, so there is nothing to finish.
    if (abort.signal.aborted) return undefined;
    throw err;
  }
  const registry = new PgKeyRegistry(db);
  const reader = new StreamReader({
    nc,
    opener: new Opener({ collectorKeys: data.collectorKeys, registry }),
    prefetchKeys: (pairs) => registry.prefetch(pairs),
    evaluator: link,
    log,
    metrics: link.metrics,
    onSettled: (healthy) => link.settled(healthy),
    ...(data.batchSize === undefined ? {} : { batchSize: data.batchSize }),
    ...(data.retryDelayMs === undefined ? {} : { retryDelayMs: data.retryDelayMs }),
    ...(data.openSlice === undefined ? {} : { openSlice: data.openSlice }),
  });
  const close = async (): Promise<void> => {
    await nc.drain().catch(() => nc.close());
    await db.destroy();
  };
  if (abort.signal.aborted) {
    await close();
    return undefined;
  }
  await reader.start();
  link.ready();
  return async () => {
    await reader.stop();
    await close();
  };
})();
// A failure to start ends the thread with the error, which the main thread reports.
await running;
