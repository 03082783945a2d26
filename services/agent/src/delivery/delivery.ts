import { setTimeout as sleep } from 'node:timers/promises';
import type { SealedMessage } from '@hostwatch/envelope';
import { SpoolFullError, type Spool, type SpoolEntry } from './spool.js';

/** Publishes one sealed message and resolves once the broker acknowledged it as stored. */
export type PublishFn = (entry: SpoolEntry) => Promise<void>;

/** The part of a pino logger delivery writes to. */
export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What delivery reports about itself in the agent's stats. */
export interface DeliveryHealth {
  readonly spoolDepth: number;
  readonly spoolFull: boolean;
  readonly publishLatencyMs?: number;
  readonly lastAckAt?: string;
  readonly dropped: number;
}

/** Options of {@link Delivery}. */
export interface DeliveryOptions {
  readonly publish: PublishFn;
  readonly spool: Spool;
  /** Headers added to every message beside the envelope's (the host's enrollment headers). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly log: DeliveryLog;
  /** Delay before the first retry of the spool's head, doubled up to `maxRetryMs` (defaults 500 ms, 30 s). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  readonly now?: () => Date;
}

/**
 * Gets sealed messages to the broker in order, without loss: a message is published directly
 * while nothing is waiting, else appended to the fsync'd spool, which a background loop replays
 * in order with the same message ids once the broker is back. `onAcked` runs after the broker
 * acknowledged (directly or from the spool), so a log position is committed only then; after a
 * restart the log is re-read from the last committed position and the same ids come again,
 * which JetStream and PostgreSQL de-duplicate.
 */
export class Delivery {
  private readonly pendingAcks = new Map<string, () => Promise<void>>();
  private draining: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private latencyMs: number | undefined;
  private lastAck: Date | undefined;
  private full = false;
  private droppedCount = 0;

  constructor(private readonly options: DeliveryOptions) {
    if (options.spool.depth > 0) this.startDrain();
  }

  /**
   * Sends a sealed message. Resolves once it is acknowledged or safely spooled; rejects with
   * {@link SpoolFullError} when it could be neither (the caller keeps its input and retries).
   */
  async send(subject: string, sealed: SealedMessage, onAcked?: () => Promise<void>): Promise<void> {
    const entry: SpoolEntry = {
      subject,
      headers: { ...this.options.headers, ...sealed.headers },
      data: sealed.data,
    };
    if (this.options.spool.depth === 0 && !this.draining) {
      try {
        await this.publishTimed(entry);
        await onAcked?.();
        return;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        this.options.log.warn({ reason, subject }, 'publish failed; keeping the message in the spool');
      }
    }
    try {
      await this.options.spool.append(entry);
      this.full = false;
    } catch (err) {
      if (err instanceof SpoolFullError && !this.full) {
        this.full = true;
        this.options.log.error(
          { err, depth: this.options.spool.depth },
          'spool is full: new messages are held back',
        );
      }
      throw err;
    }
    const id = entry.headers['Nats-Msg-Id'];
    if (onAcked && id) this.pendingAcks.set(id, onAcked);
    this.startDrain();
  }

  /** Records that a message could not be kept at all (reported in the stats, never silent). */
  countDropped(n = 1): void {
    this.droppedCount += n;
  }

  /** Current state for the agent's self-report. */
  health(): DeliveryHealth {
    return {
      spoolDepth: this.options.spool.depth,
      spoolFull: this.full,
      ...(this.latencyMs === undefined ? {} : { publishLatencyMs: this.latencyMs }),
      ...(this.lastAck ? { lastAckAt: this.lastAck.toISOString() } : {}),
      dropped: this.droppedCount,
    };
  }

  private async publishTimed(entry: SpoolEntry): Promise<void> {
    const started = performance.now();
    await this.options.publish(entry);
    this.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    this.lastAck = (this.options.now ?? (() => new Date()))();
  }

  private startDrain(): void {
    if (this.draining || this.stopped) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (!this.stopped && this.options.spool.depth > 0) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    const { spool, log } = this.options;
    const base = this.options.retryMs ?? 500;
    const max = this.options.maxRetryMs ?? 30_000;
    let delay = base;
    log.info({ depth: spool.depth }, 'replaying the spool');
    while (!this.stopped && spool.depth > 0) {
      let batch: SpoolEntry[];
      try {
        batch = await spool.peek(64);
      } catch (err) {
        // The disk returned a damaged record: keep running and keep saying so; never publish it.
        log.error({ err, depth: spool.depth, retryInMs: delay }, 'spool unreadable; nothing replayed');
        await this.pause(delay);
        delay = Math.min(max, delay * 2);
        continue;
      }
      for (const entry of batch) {
        if (this.stopped) return;
        try {
          await this.publishTimed(entry);
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          log.warn({ reason, depth: spool.depth, retryInMs: delay }, 'broker unavailable; spool kept');
          await this.pause(delay);
          delay = Math.min(max, delay * 2);
          break;
        }
        delay = base;
        await spool.ack(1);
        const id = entry.headers['Nats-Msg-Id'];
        const onAcked = id ? this.pendingAcks.get(id) : undefined;
        if (id) this.pendingAcks.delete(id);
        await onAcked?.();
      }
    }
    if (spool.depth === 0) log.info({}, 'spool replayed');
  }

  private async pause(ms: number): Promise<void> {
    const controller = new AbortController();
    this.wake = () => controller.abort();
    await sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);
    this.wake = undefined;
  }

  /** Retries the spool's head now (e.g. the connection came back). */
  retryNow(): void {
    this.wake?.();
  }

  /** Whether messages are waiting in the spool. */
  get backlog(): number {
    return this.options.spool.depth;
  }

  /** Stops replaying; what is spooled stays on disk for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.draining;
  }

  /** Waits until the spool is empty (tests, `--exit-at-end`). */
  async flushed(): Promise<void> {
    while (this.options.spool.depth > 0 || this.draining) {
      if (this.draining) await this.draining;
      else await sleep(50);
      if (this.stopped) return;
    }
  }
}
