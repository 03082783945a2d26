import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { crashPoint, type CrashPoint } from '../store/crash-point.js';
import type { BatchStore, StoreBatch, StoreItem, StoreResult } from '../store/batch-store.js';
import { isTransientDatabaseError } from '../store/database-errors.js';
import type { IngestLog } from '../log/ingest-log.js';
import type { IngestMetrics } from '../ops/ingest-metrics.js';
import type { QuarantineRecord } from '../quarantine/quarantine-writer.js';
import type { IncomingMessage } from '../verify/incoming-message.js';
import type { MessageVerifier } from '../verify/message-verifier.js';
import type { Enrollment, Verdict } from '../verify/verdict.js';
import { Backoff } from './backoff.js';
import { BatchQueue } from './batch-queue.js';

/** What an {@link IngestConsumer} needs. */
export interface IngestConsumerOptions {
  /** The durable pull consumer `ingest`, shared by every replica. */
  readonly consumer: Consumer;
  readonly verifier: MessageVerifier;
  readonly store: BatchStore;
  readonly metrics: IngestMetrics;
  readonly log: IngestLog;
  readonly batchSize: number;
  readonly batchWaitMs: number;
  /** Batches written at the same time, each in its own transaction (default 1). */
  readonly writers?: number;
  /** The consumer's AckWait: messages held longer than a third of it get a progress ack. */
  readonly ackWaitMs: number;
  /** Delay of the naks sent for held messages when stopping while PostgreSQL is down. */
  readonly nakDelayMs?: number;
  readonly crashAt?: CrashPoint | undefined;
}

function toIncoming(m: JsMsg): IncomingMessage {
  const headers: Record<string, string> = {};
  if (m.headers) for (const key of m.headers.keys()) headers[key] = m.headers.get(key);
  return { subject: m.subject, data: m.data, headers, streamSeq: m.seq, deliveries: m.info.deliveryCount };
}

interface Decided {
  readonly msgs: readonly JsMsg[];
  readonly verdicts: readonly Verdict[];
}

/**
 * The ingest loop: pulls from the shared durable consumer, verifies each batch while the
 * previous one is written, commits, then acknowledges (valid) or terminates (quarantined and
 * pending) every message. While PostgreSQL is unreachable it stops pulling, keeps the messages it
 * holds alive with progress acks (so no delivery is used up) and retries with backoff.
 */
export class IngestConsumer {
  readonly #o: IngestConsumerOptions;
  readonly #queue = new BatchQueue<JsMsg>();
  /** Every message delivered and not yet acked, termed or naked, with when it was last kept alive. */
  readonly #held = new Map<JsMsg, number>();
  readonly #abort = new AbortController();
  readonly #backoff = new Backoff(100, 10_000);
  #databaseDown = false;
  #fetch: ConsumerMessages | undefined;
  #loops: Promise<void> | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #lastError: string | undefined;

  constructor(options: IngestConsumerOptions) {
    this.#o = options;
  }

  /** Whether PostgreSQL answered the last attempt to write. */
  get databaseUp(): boolean {
    return !this.#databaseDown;
  }

  /** Why the last write failed, while the database is down. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Starts pulling and writing. */
  start(): void {
    const every = Math.max(250, Math.floor(this.#o.ackWaitMs / 3));
    this.#keepAlive = setInterval(() => this.#sendProgress(every), Math.min(every, 1000));
    this.#keepAlive.unref();
    this.#loops = Promise.all([this.#pullLoop(), this.#processLoop()]).then(() => undefined);
  }

  /**
   * Stops: finishes and acknowledges the batch being written, hands every other held message
   * back (nak; with a delay when PostgreSQL is down), and resolves when nothing is held.
   */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#fetch?.stop();
    await this.#loops;
    clearInterval(this.#keepAlive);
    const delay = this.#databaseDown ? (this.#o.nakDelayMs ?? 5000) : undefined;
    for (const m of [...this.#queue.drain(), ...this.#held.keys()]) this.#settle(m, (x) => x.nak(delay));
  }

  #sendProgress(afterMs: number): void {
    const now = Date.now();
    for (const [m, since] of this.#held) {
      if (now - since >= afterMs) {
        m.working();
        this.#held.set(m, now);
      }
    }
  }

  #settle(m: JsMsg, how: (m: JsMsg) => void): void {
    if (!this.#held.delete(m)) return;
    how(m);
  }

  async #pullLoop(): Promise<void> {
    const signal = this.#abort.signal;
    const backoff = new Backoff(250, 5000);
    while (!signal.aborted) {
      if (this.#databaseDown || this.#queue.length >= this.#o.batchSize) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      try {
        const fetch = await this.#o.consumer.fetch({ max_messages: this.#o.batchSize, expires: 1000 });
        this.#fetch = fetch;
        for await (const m of fetch) {
          this.#held.set(m, Date.now());
          if (signal.aborted) this.#settle(m, (x) => x.nak());
          else this.#queue.push(m);
        }
        backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        this.#o.log.warn({ err }, 'fetch from JetStream failed; retrying');
        await backoff.wait(signal);
      } finally {
        this.#fetch = undefined;
      }
    }
  }

  async #processLoop(): Promise<void> {
    const signal = this.#abort.signal;
    const writers = Math.max(1, this.#o.writers ?? 1);
    const writing = new Set<Promise<void>>();
    while (!signal.aborted) {
      const msgs = await this.#queue.take(this.#o.batchSize, this.#o.batchWaitMs, signal);
      if (msgs.length === 0) continue;
      // The next batch is opened and validated while earlier ones are being written. Batches
      // commit independently, as they would on separate replicas: unique keys and the session
      // merge make their order irrelevant, and each acknowledges only what it committed.
      const verdicts = await this.#verify(msgs);
      while (writing.size >= writers) await Promise.race(writing);
      if (!verdicts) {
        for (const m of msgs) this.#queue.push(m);
        break;
      }
      const write: Promise<void> = this.#write({ msgs, verdicts }).finally(() => writing.delete(write));
      writing.add(write);
    }
    await Promise.all(writing);
  }

  async #verify(msgs: readonly JsMsg[]): Promise<Verdict[] | undefined> {
    const incoming = msgs.map(toIncoming);
    for (;;) {
      try {
        const verdicts = await this.#o.verifier.verifyBatch(incoming);
        return verdicts;
      } catch (err) {
        if (!isTransientDatabaseError(err)) {
          // A bug, not bad input: hand the batch back; a message that keeps failing runs out of
          // deliveries and is captured into the quarantine from the advisory.
          this.#o.log.error({ err }, 'verifying a batch failed; handing it back');
          for (const m of msgs) this.#settle(m, (x) => x.nak(1000));
          return [];
        }
        this.#down(err);
        if (this.#abort.signal.aborted) return undefined;
        await this.#backoff.wait(this.#abort.signal);
      }
    }
  }

  async #write(decided: Decided): Promise<void> {
    try {
      await this.#writeBatch(decided);
    } catch (err) {
      // A bug, not an outage: hand the batch back; what keeps failing ends in the quarantine
      // through the max-deliveries advisory.
      this.#o.log.error({ err }, 'writing a batch failed; handing it back');
      for (const m of decided.msgs) this.#settle(m, (x) => x.nak(1000));
    }
  }

  async #writeBatch({ msgs, verdicts }: Decided): Promise<void> {
    if (verdicts.length === 0) return;
    const batch = toStoreBatch(verdicts);
    let result: StoreResult;
    for (;;) {
      const started = process.hrtime.bigint();
      try {
        result = await this.#o.store.commit(batch.store);
        this.#o.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        this.#up();
        break;
      } catch (err) {
        let failure = err;
        if (!isTransientDatabaseError(err)) {
          this.#o.log.warn({ err }, 'a batch was refused by PostgreSQL; writing its messages one by one');
          try {
            result = await this.#writeOneByOne(batch);
            this.#up();
            break;
          } catch (inner) {
            if (!isTransientDatabaseError(inner)) throw inner;
            failure = inner;
          }
        }
        if (isConflict(failure)) {
          // Another writer (of this replica or another) held rows this batch needed: nothing was
          // committed, and running the batch again is the cure. PostgreSQL itself is fine.
          this.#o.log.info({ err: failure }, 'a batch met a concurrent writer; writing it again');
          this.#o.metrics.commitRetries.inc({ reason: 'conflict' });
          if (this.#abort.signal.aborted) return;
          continue;
        }
        this.#down(failure);
        // Held messages are kept alive by progress acks; nothing is acknowledged that is not durable.
        if (this.#abort.signal.aborted) return;
        await this.#backoff.wait(this.#abort.signal);
        if (this.#abort.signal.aborted) return;
      }
    }
    crashPoint(this.#o.crashAt, 'after-commit');
    for (const e of batch.store.enrollments) this.#o.verifier.forget(e.hostId);
    this.#o.metrics.batchSize.observe(msgs.length);
    this.#o.metrics.expiredRows.inc(result.expired);
    const acked: JsMsg[] = [];
    verdicts.forEach((v, i) => {
      const m = msgs[i] as JsMsg;
      const kind = v.verdict === 'accept' ? v.message.kind : kindOf(v.incoming.subject);
      if (v.verdict === 'accept') {
        const rejected = batch.rejected.get(v.messageId);
        if (rejected) {
          this.#o.metrics.messages.inc({ kind, outcome: 'quarantined' });
          this.#o.metrics.rejections.inc({ reason: 'store_rejected' });
          this.#settle(m, (x) => x.term(`store_rejected: ${rejected}`));
          return;
        }
        this.#o.metrics.messages.inc({
          kind,
          outcome: result.stored.has(v.messageId) ? 'stored' : 'duplicate',
        });
        acked.push(m);
      } else if (v.verdict === 'quarantine') {
        this.#o.metrics.messages.inc({ kind, outcome: 'quarantined' });
        this.#o.metrics.rejections.inc({ reason: v.reason });
        this.#settle(m, (x) => x.term(v.reason));
      } else {
        this.#o.metrics.messages.inc({ kind, outcome: 'pending' });
        this.#o.metrics.rejections.inc({ reason: 'pending_key' });
        this.#settle(m, (x) => x.term('pending_key'));
      }
    });
    const last = acked.pop();
    for (const m of acked) this.#settle(m, (x) => x.ack());
    if (last && this.#held.delete(last)) {
      // The last ack of the batch waits for the server's confirmation: a server that takes an
      // fsync per ack (sync_interval: always, interest retention) sets the pace, so acks never
      // queue up there for longer than AckWait and cause needless re-deliveries. A lost
      // confirmation only means the message comes back once more, as a no-op.
      await last.ackAck({ timeout: this.#o.ackWaitMs }).catch(() => undefined);
    }
  }

  /** Writes what the batch refused to take as a whole message by message; the ones refused alone are quarantined. */
  async #writeOneByOne(batch: PreparedBatch): Promise<StoreResult> {
    const stored = new Set<string>();
    let expired = 0;
    const add = (r: StoreResult): void => {
      for (const id of r.stored) stored.add(id);
      expired += r.expired;
    };
    const failed: QuarantineRecord[] = [];
    add(
      await this.#o.store.commit({
        ...batch.store,
        items: [],
        enrollments: batch.store.enrollments.filter((e) => e.status === 'pending'),
      }),
    );
    for (const item of batch.accepted) {
      try {
        add(
          await this.#o.store.commit({
            items: [item.item],
            quarantine: [],
            enrollments: item.enrollment ? [item.enrollment] : [],
            pendingHosts: new Set(),
          }),
        );
      } catch (err) {
        if (isTransientDatabaseError(err)) throw err;
        const detail = (err as Error).message;
        batch.rejected.set(item.item.messageId, detail);
        failed.push(
          quarantineRecord(
            item.incoming,
            'store_rejected',
            `PostgreSQL refused it: ${detail}`,
            item.hostId,
            item.item.messageId,
          ),
        );
      }
    }
    add(
      await this.#o.store.commit({ items: [], quarantine: failed, enrollments: [], pendingHosts: new Set() }),
    );
    return { stored, expired };
  }

  #down(err: unknown): void {
    this.#lastError = err instanceof Error ? err.message : String(err);
    if (!this.#databaseDown)
      this.#o.log.warn({ err }, 'PostgreSQL is unreachable; pausing and retrying with backoff');
    this.#databaseDown = true;
    this.#o.metrics.databaseUp.set(0);
  }

  #up(): void {
    if (this.#databaseDown) this.#o.log.info({}, 'PostgreSQL is back; resuming');
    this.#databaseDown = false;
    this.#lastError = undefined;
    this.#backoff.reset();
    this.#o.metrics.databaseUp.set(1);
  }
}

/** A deadlock or serialization failure: PostgreSQL rolled the transaction back to let another one go on. */
function isConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === '40P01' || code === '40001';
}

function kindOf(subject: string): string {
  const kind = subject.split('.')[2];
  return kind === 'stats' || kind === 'ssh' || kind === 'event' ? kind : 'unknown';
}

function quarantineRecord(
  incoming: IncomingMessage,
  reason: QuarantineRecord['reason'],
  detail: string,
  hostId: string | undefined,
  messageId: string | undefined,
): QuarantineRecord {
  return {
    reason,
    detail,
    subject: incoming.subject,
    hostId,
    messageId,
    streamSeq: incoming.streamSeq,
    deliveries: incoming.deliveries,
    headers: incoming.headers,
    data: incoming.data,
  };
}

interface PreparedBatch {
  readonly store: StoreBatch;
  readonly accepted: readonly {
    item: StoreItem;
    enrollment: Enrollment | undefined;
    incoming: IncomingMessage;
    hostId: string;
  }[];
  /** Messages PostgreSQL refused when written alone, by message id, with why. */
  readonly rejected: Map<string, string>;
}

function toStoreBatch(verdicts: readonly Verdict[]): PreparedBatch {
  const items: StoreItem[] = [];
  const accepted: PreparedBatch['accepted'][number][] = [];
  const quarantine: QuarantineRecord[] = [];
  const enrollments: Enrollment[] = [];
  const pendingHosts = new Set<string>();
  for (const v of verdicts) {
    if (v.verdict === 'accept') {
      const item = { messageId: v.messageId, message: v.message };
      items.push(item);
      accepted.push({ item, enrollment: v.enrollment, incoming: v.incoming, hostId: v.hostId });
      if (v.enrollment) enrollments.push(v.enrollment);
    } else if (v.verdict === 'quarantine') {
      quarantine.push(quarantineRecord(v.incoming, v.reason, v.detail, v.hostId, v.messageId));
    } else {
      pendingHosts.add(v.hostId);
      if (v.enrollment) enrollments.push(v.enrollment);
    }
  }
  return { store: { items, quarantine, enrollments, pendingHosts }, accepted, rejected: new Map() };
}
