import { STREAM_NAME } from '@hostwatch/contract';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type pg from 'pg';
import { Backoff } from '../consume/backoff.js';
import type { IngestLog } from '../log/ingest-log.js';
import type { IngestMetrics } from '../ops/ingest-metrics.js';
import { isTransientDatabaseError } from '../store/database-errors.js';
import { writeQuarantine } from './quarantine-writer.js';

/** The advisory JetStream publishes when a message of `consumer` on `stream` ran out of deliveries. */
export function maxDeliveriesSubject(stream: string, consumer: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
}

/** Options of {@link MaxDeliveriesCapture}. */
export interface MaxDeliveriesCaptureOptions {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly pool: pg.Pool;
  readonly log: IngestLog;
  readonly metrics?: IngestMetrics | undefined;
  readonly quarantineMaxBytes: number;
  readonly consumer: string;
  readonly stream?: string;
}

interface Advisory {
  readonly stream_seq?: unknown;
  readonly deliveries?: unknown;
}

/**
 * Captures messages that exhausted their deliveries: listens to the max-deliveries advisory (in
 * a queue group, so one replica handles each), fetches the message by its stream sequence and
 * keeps it in the quarantine with reason `max_deliveries`, so it is never lost silently.
 */
export class MaxDeliveriesCapture {
  readonly #o: MaxDeliveriesCaptureOptions;
  #sub: Subscription | undefined;
  #chain: Promise<void> = Promise.resolve();
  #stopping = false;

  constructor(options: MaxDeliveriesCaptureOptions) {
    this.#o = options;
  }

  /** Subscribes to the advisory. */
  start(): void {
    const stream = this.#o.stream ?? STREAM_NAME;
    this.#sub = this.#o.nc.subscribe(maxDeliveriesSubject(stream, this.#o.consumer), {
      queue: `hostwatch-${this.#o.consumer}-advisories`,
      callback: (err, msg) => {
        if (err) return;
        let advisory: Advisory;
        try {
          advisory = msg.json<Advisory>();
        } catch {
          return;
        }
        const seq = advisory.stream_seq;
        if (typeof seq !== 'number') return;
        const deliveries = typeof advisory.deliveries === 'number' ? advisory.deliveries : undefined;
        this.#chain = this.#chain.then(() => this.#capture(stream, seq, deliveries));
      },
    });
  }

  async #capture(stream: string, seq: number, deliveries: number | undefined): Promise<void> {
    const backoff = new Backoff(200, 10_000);
    for (;;) {
      try {
        const stored = await this.#o.jsm.streams.getMessage(stream, { seq }).catch(() => null);
        const headers: Record<string, string> = {};
        if (stored?.header) for (const key of stored.header.keys()) headers[key] = stored.header.get(key);
        const client = await this.#o.pool.connect();
        try {
          await writeQuarantine(
            client,
            [
              {
                reason: 'max_deliveries',
                detail: stored
                  ? `delivered ${deliveries ?? '?'} times without being acknowledged`
                  : `delivered ${deliveries ?? '?'} times; the message is no longer in the stream`,
                subject: stored?.subject ?? '',
                hostId: headers['Hostwatch-Host'],
                messageId: headers['Nats-Msg-Id'],
                streamSeq: seq,
                deliveries,
                headers,
                data: stored?.data ?? new Uint8Array(),
              },
            ],
            this.#o.quarantineMaxBytes,
          );
        } finally {
          client.release();
        }
        this.#o.metrics?.rejections.inc({ reason: 'max_deliveries' });
        this.#o.log.warn({ seq, deliveries }, 'a message ran out of deliveries; kept in the quarantine');
        return;
      } catch (err) {
        if (this.#stopping || !isTransientDatabaseError(err)) {
          this.#o.log.error({ err, seq }, 'could not quarantine a message that ran out of deliveries');
          return;
        }
        await backoff.wait();
      }
    }
  }

  /** Unsubscribes and waits for captures in progress. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#sub?.unsubscribe();
    await this.#chain;
  }
}
