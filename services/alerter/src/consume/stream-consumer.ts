import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { CONSUMER_SPECS, STREAM_NAME, validateMessage } from '@hostwatch/contract';
import { ENVELOPE_HEADERS, EnvelopeError, type Opener } from '@hostwatch/envelope';
import type { connectWithBackoff } from '@hostwatch/nats';
import type { Evaluator, HostMessageItem } from '../evaluate/evaluator.js';
import type { AlerterLog } from '../log.js';
import type { AlerterMetrics } from '../ops/alerter-metrics.js';

/** A NATS connection, as `@hostwatch/nats` hands it out. */
export type NatsConnection = Awaited<ReturnType<typeof connectWithBackoff>>;

/** Options of {@link StreamConsumer}. */
export interface StreamConsumerOptions {
  readonly nc: NatsConnection;
  readonly opener: Opener;
  readonly evaluator: Evaluator;
  /** Asked for the keys of a whole batch before its messages are opened, when given. */
  readonly prefetchKeys?: (pairs: readonly (readonly [string, string])[]) => Promise<void>;
  readonly log: AlerterLog;
  readonly metrics?: AlerterMetrics;
  /** Most messages evaluated in one transaction (default 5,000: under a backlog, a few statements carry thousands of messages). */
  readonly batchSize?: number;
  /** Delay before a message is redelivered after a transient failure (default 5 s). */
  readonly retryDelayMs?: number;
}

/**
 * Reads the alerter's durable consumer: opens and validates each message, hands whatever arrived
 * together to the evaluator as one batch, and acknowledges a message only after the transaction
 * that recorded its effect committed. A message that can never be used (forged, tampered, not
 * valid) is terminated; a transient failure (database down) naks the batch with a delay and
 * pauses fetching.
 */
export class StreamConsumer {
  readonly #o: StreamConsumerOptions;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #pending: JsMsg[] = [];
  #chain: Promise<void> = Promise.resolve();
  #scheduled = false;
  #lastBatchOk = true;

  constructor(options: StreamConsumerOptions) {
    this.#o = options;
  }

  /** Whether the last batch was committed (false while the database is failing). */
  get healthy(): boolean {
    return this.#lastBatchOk;
  }

  /** Starts consuming in the background. */
  async start(): Promise<void> {
    const js = jetstream(this.#o.nc);
    const consumer = await js.consumers.get(STREAM_NAME, CONSUMER_SPECS.alerter.durableName);
    this.#messages = await consumer.consume({ max_messages: (this.#o.batchSize ?? 5_000) * 2 });
    const messages = this.#messages;
    this.#loop = (async () => {
      for await (const msg of messages) {
        this.#pending.push(msg);
        if (this.#pending.length >= (this.#o.batchSize ?? 5_000) || !this.#lastBatchOk) {
          this.#flushSoon();
          await this.#chain;
        } else {
          this.#flushSoon();
        }
      }
    })();
  }

  #flushSoon(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#chain = this.#chain.then(
      () =>
        new Promise<void>((resolve) => {
          setImmediate(() => {
            this.#scheduled = false;
            this.#flush().then(resolve, resolve);
          });
        }),
    );
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0, this.#pending.length);
    if (batch.length === 0) return;
    const { log, metrics } = this.#o;
    const items: HostMessageItem[] = [];
    const accepted: JsMsg[] = [];
    let transient: unknown;
    if (this.#o.prefetchKeys) {
      const pairs: [string, string][] = [];
      for (const msg of batch) {
        const hostId = msg.headers?.get(ENVELOPE_HEADERS.hostId);
        const keyId = msg.headers?.get(ENVELOPE_HEADERS.hostKeyId);
        if (hostId && keyId) pairs.push([hostId, keyId]);
      }
      // A failed prefetch only costs the per-message lookups it would have saved.
      await this.#o.prefetchKeys(pairs).catch(() => undefined);
    }
    for (const msg of batch) {
      try {
        const opened = await this.#o.opener.open(msg.data, msg.headers ?? {}, msg.subject);
        let value: unknown;
        try {
          value = JSON.parse(new TextDecoder().decode(opened.body));
        } catch {
          value = undefined;
        }
        const result = validateMessage(opened.kind, opened.hostId, value);
        if (!result.ok) {
          metrics?.messages.inc({ kind: opened.kind, result: 'refused' });
          log.warn({ subject: msg.subject, messageId: opened.messageId, problems: result.problems }, 'message is not valid; terminated');
          msg.term('invalid message');
          continue;
        }
        items.push({ hostId: opened.hostId, messageId: opened.messageId, message: result.message });
        accepted.push(msg);
      } catch (err) {
        if (err instanceof EnvelopeError) {
          metrics?.messages.inc({ kind: 'unknown', result: 'refused' });
          log.warn({ subject: msg.subject, reason: err.reason, err }, 'message refused; terminated');
          msg.term(err.reason);
        } else {
          transient = err;
          msg.nak(this.#o.retryDelayMs ?? 5_000);
        }
      }
    }
    metrics?.batchSize.observe(items.length);
    try {
      await this.#o.evaluator.handle(items);
    } catch (err) {
      transient = err;
      for (const msg of accepted) msg.nak(this.#o.retryDelayMs ?? 5_000);
      for (const item of items) metrics?.messages.inc({ kind: item.message.kind, result: 'retry' });
      accepted.length = 0;
    }
    for (const msg of accepted) msg.ack();
    for (const item of accepted.length > 0 ? items : []) metrics?.messages.inc({ kind: item.message.kind, result: 'ok' });
    this.#lastBatchOk = transient === undefined;
    if (transient !== undefined && !this.#stopping) {
      log.warn({ err: transient, messages: batch.length }, 'cannot record messages now; redelivering later');
      await sleep(this.#o.retryDelayMs ?? 5_000);
    }
  }

  /** Stops fetching, finishes the batch in hand, and closes the subscription. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#messages?.close();
    await this.#loop;
    this.#flushSoon();
    await this.#chain;
  }
}
