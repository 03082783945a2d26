import { Worker } from 'node:worker_threads';
import type { AlerterLog } from '../log.js';
import type { BatchRecorder, PipelineMetrics } from './batch-pipeline.js';
import { decodeOpenedItems } from './opened-items.js';
import type { FromStreamWorker, StreamWorkerData, ToStreamWorker } from './worker-protocol.js';

// Under vitest this module runs from src/*.ts, which a worker thread cannot load (Node 20 runs no
// TypeScript); the worker then runs from the build, which `npm test` makes first.
const WORKER_URL = import.meta.url.endsWith('.ts') ? new URL('../../dist/consume/stream-worker.js', import.meta.url) : new URL('./stream-worker.js', import.meta.url);

/** Options of {@link StreamConsumer}: where the worker reads and opens, and where the main thread records. */
export interface StreamConsumerOptions extends StreamWorkerData {
  /** Records each opened batch in one transaction on this thread: the evaluator. */
  readonly evaluator: BatchRecorder;
  readonly log: AlerterLog;
  readonly metrics?: PipelineMetrics;
  /** First delay before a worker that died is replaced; doubles up to 30 s while replacements die too (default 1 s). */
  readonly restartDelayMs?: number;
  /** How long a stopping worker may take to finish its batches before it is ended (default 25 s). */
  readonly stopTimeoutMs?: number;
  /** Called with each worker thread started; fault tests end one with it. */
  readonly onWorker?: (worker: Worker) => void;
}

/**
 * Reads the alerter's durable consumer in a worker thread and records on this one. The worker
 * (`stream-worker.js`: `StreamReader` over a `BatchPipeline`) fetches, opens and validates each
 * batch, which is the larger part of the CPU a message costs, and hands the opened messages over;
 * this thread evaluates them in one transaction and answers, and only then does the worker
 * acknowledge them. What can never open is terminated by the worker with its reason, logged here.
 * A worker that dies loses nothing: what it had not acknowledged is redelivered to its successor,
 * started after a delay, and recorded again with the same result.
 */
export class StreamConsumer {
  readonly #o: StreamConsumerOptions;
  #worker: Worker | undefined;
  #healthy = true;
  #stopping = false;
  // Once started, a worker that ends is replaced; one that fails at the start fails the start.
  #started = false;
  readonly #firstRestartDelayMs: number;
  #restartDelayMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(options: StreamConsumerOptions) {
    this.#o = options;
    this.#firstRestartDelayMs = options.restartDelayMs ?? 1_000;
    this.#restartDelayMs = this.#firstRestartDelayMs;
  }

  /** Whether the last batch was recorded and a worker is running (false while the database is failing or a worker is replaced). */
  get healthy(): boolean {
    return this.#healthy && this.#worker !== undefined;
  }

  /** Starts the worker; resolves once it consumes, rejects when it fails to start. */
  async start(): Promise<void> {
    await this.#spawn();
    this.#started = true;
  }

  /** Asks the worker to stop fetching and finish the batches in hand (recorded here meanwhile); resolves when it ended. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    if (!worker) return;
    worker.postMessage({ type: 'stop' } satisfies ToStreamWorker);
    const timeoutMs = this.#o.stopTimeoutMs ?? 25_000;
    const timeout = setTimeout(() => {
      this.#o.log.warn({ timeoutMs }, 'stream worker did not finish in time; ending it (what it did not acknowledge is redelivered)');
      void worker.terminate();
    }, timeoutMs);
    await this.#exited;
    clearTimeout(timeout);
  }

  #spawn(): Promise<void> {
    const o = this.#o;
    const workerData: StreamWorkerData = {
      natsUrl: o.natsUrl,
      natsCredentials: o.natsCredentials,
      databaseUrl: o.databaseUrl,
      collectorKeys: o.collectorKeys,
      replica: o.replica,
      batchSize: o.batchSize,
      retryDelayMs: o.retryDelayMs,
      openSlice: o.openSlice,
    };
    const worker = new Worker(WORKER_URL, { workerData });
    this.#worker = worker;
    this.#o.onWorker?.(worker);
    let ready = false;
    let failure: unknown;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromStreamWorker) => {
        if (message.type === 'ready') {
          ready = true;
          this.#restartDelayMs = this.#firstRestartDelayMs;
          resolve();
        } else {
          this.#receive(worker, message);
        }
      });
      worker.on('error', (err) => {
        failure = err;
        this.#o.log.error({ err }, 'stream worker failed');
      });
      this.#exited = new Promise<void>((exited) => {
        worker.once('exit', (code) => {
          if (this.#worker === worker) this.#worker = undefined;
          exited();
          if (!ready) reject(failure ?? new Error(`stream worker exited with code ${code} before it consumed`));
          if (this.#stopping || !this.#started) return;
          this.#o.log.error({ code, restartInMs: this.#restartDelayMs }, 'stream worker ended; what it did not acknowledge is redelivered to the next one');
          this.#restartTimer = setTimeout(() => {
            this.#spawn().catch(() => undefined);
          }, this.#restartDelayMs);
          this.#restartDelayMs = Math.min(30_000, this.#restartDelayMs * 2);
        });
      });
    });
  }

  #receive(worker: Worker, message: FromStreamWorker): void {
    const { log, metrics } = this.#o;
    switch (message.type) {
      case 'batch': {
        const answer = (error?: string): void => {
          // A worker that ended since took its messages' acknowledgements with it: they are redelivered.
          if (this.#worker === worker) worker.postMessage({ type: 'recorded', id: message.id, ...(error === undefined ? {} : { error }) } satisfies ToStreamWorker);
        };
        let items;
        try {
          items = decodeOpenedItems(message.items);
        } catch (err) {
          answer(`cannot read the opened batch: ${(err as Error).message}`);
          return;
        }
        this.#o.evaluator.handle(items).then(
          () => answer(),
          (err: unknown) => answer(err instanceof Error ? err.message : String(err)),
        );
        return;
      }
      case 'log':
        log[message.level](message.obj, message.msg);
        return;
      case 'count':
        metrics?.messages.inc({ kind: message.kind, result: message.result }, message.n);
        return;
      case 'batch-size':
        metrics?.batchSize.observe(message.n);
        return;
      case 'settled':
        this.#healthy = message.healthy;
        return;
      case 'ready':
        return;
    }
  }
}
