import type { HostMessageItem } from '../evaluate/evaluator.js';
import type { AlerterLog } from '../log.js';
import type { PipelineMetrics, PreparingRecorder } from './batch-pipeline.js';
import { encodeOpenedItems } from './opened-items.js';
import type { FromStreamWorker, ThreadLogLevel, ToStreamWorker } from './worker-protocol.js';

/** The end of a message channel the link talks through: a worker's `parentPort`, or a `MessagePort` in tests. */
export interface LinkPort {
  postMessage(message: FromStreamWorker): void;
}

/** Thrown in the worker when the main thread could not record a batch; its messages are redelivered. */
export class RecordingFailedError extends Error {
  override readonly name = 'RecordingFailedError';
}

// Log fields cross threads as plain data: errors keep their name, message, stack and own fields
// (an envelope error's reason), everything else what JSON keeps of it.
function plain(obj: object): Record<string, unknown> {
  try {
    return plainOrThrow(obj);
  } catch (err) {
    // A record that cannot be written as JSON (a cycle) still says that it was logged.
    return { unloggable: String(err) };
  }
}

function plainOrThrow(obj: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(obj, (_key, value: unknown) => {
      if (value instanceof Error) return { ...value, type: value.name, message: value.message, stack: value.stack, ...(value.cause === undefined ? {} : { cause: value.cause }) };
      return typeof value === 'bigint' ? value.toString() : value;
    }),
  ) as Record<string, unknown>;
}

/**
 * The stream worker's side of its channel to the main thread: a recorder that hands
 * each opened batch to the main thread's evaluator and settles when the main thread answers, and a
 * logger and metrics that pass their records on, so the process keeps one logger and one registry.
 */
export class MainThreadLink implements PreparingRecorder<string> {
  readonly #port: LinkPort;
  readonly #waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  #nextId = 1;
  /** A logger whose records go to the main thread's logger. */
  readonly log: AlerterLog;
  /** Metrics counted in the main thread's registry. */
  readonly metrics: PipelineMetrics;

  constructor(port: LinkPort) {
    this.#port = port;
    this.log = this.#logger({});
    this.metrics = {
      messages: { inc: (labels, n = 1) => port.postMessage({ type: 'count', kind: labels.kind, result: labels.result, n }) },
      batchSize: { observe: (n) => port.postMessage({ type: 'batch-size', n }) },
    };
  }

  /** The batch as it crosses to the main thread: one string ({@link encodeOpenedItems}). */
  prepare(items: readonly HostMessageItem[]): string {
    return encodeOpenedItems(items);
  }

  /** Sends the batch to the main thread; resolves once it committed there. */
  record(items: string): Promise<void> {
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#port.postMessage({ type: 'batch', id, items });
    });
  }

  /** Takes a message from the main thread; resolves to true when it asks the worker to stop. */
  receive(message: ToStreamWorker): boolean {
    if (message.type === 'stop') return true;
    const waiting = this.#waiting.get(message.id);
    this.#waiting.delete(message.id);
    if (message.error === undefined) waiting?.resolve();
    else waiting?.reject(new RecordingFailedError(message.error));
    return false;
  }

  /** Tells the main thread whether the last batch was recorded. */
  settled(healthy: boolean): void {
    this.#port.postMessage({ type: 'settled', healthy });
  }

  /** Tells the main thread that the worker consumes. */
  ready(): void {
    this.#port.postMessage({ type: 'ready' });
  }

  #logger(bindings: Record<string, unknown>): AlerterLog {
    const at =
      (level: ThreadLogLevel) =>
      (obj: object, msg: string): void =>
        this.#port.postMessage({ type: 'log', level, obj: plain({ ...bindings, ...obj }), msg });
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => this.#logger({ ...bindings, ...more }) };
  }
}
