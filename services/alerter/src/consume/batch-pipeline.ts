import { setTimeout as sleep } from 'node:timers/promises';
import { ENVELOPE_HEADERS, type HeaderSource, type Opener } from '@hostwatch/envelope';
import type { HostMessageItem } from '../evaluate/evaluator.js';
import type { AlerterLog } from '../log.js';
import { openBatch, type OpenedBatch, type SealedStreamMessage } from './open-batch.js';

/** A stream message with its acknowledgements, as a JetStream consumer hands it out. */
export interface PipelineMessage extends SealedStreamMessage {
  ack(): void;
  nak(delayMs?: number): void;
  term(reason?: string): void;
}

/** Where a batch's opened messages are recorded: the evaluator. */
export interface BatchRecorder {
  /** Records the items in one transaction; resolves once it committed, rejects when it did not. */
  handle(items: readonly HostMessageItem[]): Promise<void>;
}

/**
 * A recorder that takes a batch in a form of its own, made as soon as the batch opened, so that
 * the batch holds that (one string, for a recorder on another thread) rather than its items while
 * it waits for the batch before it to be recorded.
 */
export interface PreparingRecorder<Prepared> {
  prepare(items: readonly HostMessageItem[]): Prepared;
  /** Records a prepared batch in one transaction; resolves once it committed, rejects when it did not. */
  record(prepared: Prepared): Promise<void>;
}

/** A batch that opened, as it waits to be recorded: what to record, and the messages to acknowledge after. */
interface OpenedForRecording {
  readonly prepared: unknown;
  /** The messages recorded by it, to acknowledge once it committed (or give back when it did not). */
  readonly recorded: readonly PipelineMessage[];
  /** How many of them are of each kind, for the metrics. */
  readonly kinds: ReadonlyMap<string, number>;
  /** Why some messages of the batch could not be opened now (the key registry failed), if any did not. */
  readonly transient: unknown;
  readonly size: number;
}

/** The metrics a {@link BatchPipeline} counts in: the alerter's, or a proxy to them on another thread. */
export interface PipelineMetrics {
  readonly messages: { inc(labels: { kind: string; result: string }, value?: number): void };
  readonly batchSize: { observe(value: number): void };
}

/** Options of {@link BatchPipeline}. */
export interface BatchPipelineOptions {
  readonly opener: Opener;
  readonly evaluator: BatchRecorder | PreparingRecorder<unknown>;
  /** Asked for the keys of a whole batch before its messages are opened, when given. */
  readonly prefetchKeys?: (pairs: readonly (readonly [string, string])[]) => Promise<void>;
  readonly log: AlerterLog;
  readonly metrics?: PipelineMetrics;
  /** Called after each batch with whether it was recorded (false while the database is failing). */
  readonly onSettled?: (healthy: boolean) => void;
  /** Most messages evaluated in one transaction (default 5,000: under a backlog, a few statements carry thousands of messages). */
  readonly batchSize?: number;
  /** Delay before a message is redelivered after a transient failure (default 5 s). */
  readonly retryDelayMs?: number;
  /** Messages opened between two returns to the event loop while the previous batch is recorded (default 250; 0 opens a batch in one go). */
  readonly openSlice?: number;
}

function header(headers: HeaderSource | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const value = typeof headers.get === 'function' ? headers.get(name) : (headers as Readonly<Record<string, string | undefined>>)[name];
  return value || undefined;
}

/**
 * Turns messages pushed one at a time into batches: whatever arrived together is opened and
 * validated as one batch and handed to the evaluator as one transaction; a message is acknowledged
 * only after that transaction committed. Two stages overlap: the next batch is opened (CPU in this
 * process) while the previous one is being recorded (mostly PostgreSQL's time), and at most one
 * opened batch waits. Opening returns to the event loop every `openSlice` messages, so the
 * previous batch's statements go out as soon as their predecessors answer instead of after the
 * whole next batch has opened; without that the two stages hardly overlapped and the overlap cost
 * more than it gained (more young objects alive at once, so more garbage collection). A message that can never be used (forged, tampered, not valid) is
 * terminated; a transient failure (database down) naks the batch with a delay and pauses.
 */
export class BatchPipeline {
  readonly #o: BatchPipelineOptions;
  readonly #batchSize: number;
  readonly #retryDelayMs: number;
  readonly #openSlice: number;
  readonly #recorder: PreparingRecorder<unknown>;
  #pending: PipelineMessage[] = [];
  #opening: Promise<void> = Promise.resolve();
  #recording: Promise<void> = Promise.resolve();
  #scheduled = false;
  #lastBatchOk = true;
  #stopping = false;

  constructor(options: BatchPipelineOptions) {
    this.#o = options;
    this.#batchSize = options.batchSize ?? 5_000;
    this.#retryDelayMs = options.retryDelayMs ?? 5_000;
    this.#openSlice = options.openSlice ?? 250;
    const recorder = options.evaluator;
    this.#recorder = 'prepare' in recorder ? recorder : { prepare: (items) => items, record: (items) => recorder.handle(items as readonly HostMessageItem[]) };
  }

  /** Takes one message; resolves at once, or, when a full batch is waiting or the database is failing, once the caller may push more. */
  async push(msg: PipelineMessage): Promise<void> {
    this.#pending.push(msg);
    this.#flushSoon();
    if (this.#pending.length >= this.#batchSize || !this.#lastBatchOk) await this.#opening;
  }

  /** Opens, records and acknowledges everything pushed so far; resolves when it is done. */
  async drain(): Promise<void> {
    this.#flushSoon();
    await this.#opening;
    await this.#recording;
  }

  /** Like {@link drain}, without pausing after a transient failure. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.drain();
  }

  #flushSoon(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate: messages already received in this turn join the batch.
    this.#opening = this.#opening.then(
      () =>
        new Promise<void>((resolve) => {
          setImmediate(() => {
            this.#scheduled = false;
            this.#openAndQueue().then(resolve, resolve);
          });
        }),
    );
  }

  async #openAndQueue(): Promise<void> {
    const batch = this.#pending.splice(0, this.#pending.length);
    if (batch.length === 0) return;
    const { log, metrics, prefetchKeys } = this.#o;
    if (prefetchKeys) {
      const pairs: [string, string][] = [];
      for (const msg of batch) {
        const hostId = header(msg.headers, ENVELOPE_HEADERS.hostId);
        const keyId = header(msg.headers, ENVELOPE_HEADERS.hostKeyId);
        if (hostId && keyId) pairs.push([hostId, keyId]);
      }
      // A failed prefetch only costs the per-message lookups it would have saved.
      await prefetchKeys(pairs).catch(() => undefined);
    }
    const opened = await openBatch(batch, this.#o.opener, { yieldEvery: this.#openSlice });
    for (const r of opened.refused) {
      const msg = batch[r.index]!;
      metrics?.messages.inc({ kind: r.kind, result: 'refused' });
      if (r.problems) log.warn({ subject: msg.subject, messageId: r.messageId, problems: r.problems }, 'message is not valid; terminated');
      else log.warn({ subject: msg.subject, reason: r.reason, err: r.err }, 'message refused; terminated');
      msg.term(r.reason);
    }
    for (const f of opened.failed) batch[f.index]!.nak(this.#retryDelayMs);
    const waiting = this.#forRecording(batch, opened);
    const previous = this.#recording;
    this.#recording = previous.then(() => this.#record(waiting));
    // The next batch is opened while this one is recorded, but no further one.
    await previous;
  }

  // What a batch keeps while it waits its turn: no more than its recorder's form and the messages to acknowledge.
  #forRecording(batch: readonly PipelineMessage[], opened: OpenedBatch): OpenedForRecording {
    const kinds = new Map<string, number>();
    for (const item of opened.items) kinds.set(item.message.kind, (kinds.get(item.message.kind) ?? 0) + 1);
    return {
      prepared: this.#recorder.prepare(opened.items),
      recorded: opened.itemIndexes.map((index) => batch[index]!),
      kinds,
      transient: opened.failed[0]?.err,
      size: batch.length,
    };
  }

  async #record(batch: OpenedForRecording): Promise<void> {
    const { log, metrics } = this.#o;
    let transient = batch.transient;
    metrics?.batchSize.observe(batch.recorded.length);
    let committed = true;
    try {
      await this.#recorder.record(batch.prepared);
    } catch (err) {
      transient = err;
      committed = false;
    }
    for (const msg of batch.recorded) {
      if (committed) msg.ack();
      else msg.nak(this.#retryDelayMs);
    }
    if (metrics) for (const [kind, n] of batch.kinds) metrics.messages.inc({ kind, result: committed ? 'ok' : 'retry' }, n);
    this.#lastBatchOk = transient === undefined;
    this.#o.onSettled?.(this.#lastBatchOk);
    if (transient !== undefined && !this.#stopping) {
      log.warn({ err: transient, messages: batch.size }, 'cannot record messages now; redelivering later');
      await sleep(this.#retryDelayMs);
    }
  }
}
