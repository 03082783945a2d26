import type { CollectorKeyPair } from '@hostwatch/envelope';
import type { NatsCredentials } from '@hostwatch/nats';

/** What the stream worker thread is started with (its `workerData`). */
export interface StreamWorkerData {
  readonly natsUrl: string;
  readonly natsCredentials?: NatsCredentials | undefined;
  readonly databaseUrl: string;
  readonly collectorKeys: CollectorKeyPair | readonly CollectorKeyPair[];
  /** Names the worker's NATS and PostgreSQL connections. */
  readonly replica: string;
  readonly batchSize?: number | undefined;
  readonly retryDelayMs?: number | undefined;
  readonly openSlice?: number | undefined;
}

/** Levels of the log records the worker hands to the main thread's logger. */
export type ThreadLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Messages from the stream worker to the thread that started it. */
export type FromStreamWorker =
  /** Consuming; batches follow. */
  | { readonly type: 'ready' }
  /** Opened messages to record in one transaction (`encodeOpenedItems`); answered by `recorded` with the same id. */
  | { readonly type: 'batch'; readonly id: number; readonly items: string }
  | { readonly type: 'log'; readonly level: ThreadLogLevel; readonly obj: Record<string, unknown>; readonly msg: string }
  /** Messages handled, by kind and outcome, for `hostwatch_alerter_messages_total`. */
  | { readonly type: 'count'; readonly kind: string; readonly result: string; readonly n: number }
  | { readonly type: 'batch-size'; readonly n: number }
  /** After each batch: whether it was recorded (the consumer's readiness). */
  | { readonly type: 'settled'; readonly healthy: boolean };

/** Messages to the stream worker. */
export type ToStreamWorker =
  /** The batch `id` committed, or, with `error`, did not (its messages are then redelivered). */
  | { readonly type: 'recorded'; readonly id: number; readonly error?: string }
  /** Stop fetching, finish the batches in hand, close the connections and exit. */
  | { readonly type: 'stop' };
