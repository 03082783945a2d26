import { MESSAGE_KINDS } from '@hostwatch/contract';
import { Counter, Gauge, Histogram, type Registry } from '@hostwatch/ops';
import { QUARANTINE_REASONS } from '../verify/verdict.js';

/** What happened to a message: stored, already stored, quarantined, or waiting for its host's approval. */
export type MessageOutcome = 'stored' | 'duplicate' | 'quarantined' | 'pending';

/** Consumer state as JetStream reports it, for the lag gauges. */
export interface ConsumerLag {
  /** Messages in the stream not yet delivered to the consumer. */
  readonly pending: number;
  /** Messages delivered and not yet acknowledged. */
  readonly ackPending: number;
}

/** The Prometheus metrics of ingest, registered on one service registry. */
export class IngestMetrics {
  /** Messages by kind and outcome; its rate is the messages/s. */
  readonly messages: Counter<'kind' | 'outcome'>;
  /** Refused messages by quarantine reason (plus `pending_key`). */
  readonly rejections: Counter<'reason'>;
  readonly batchSize: Histogram;
  /** Seconds from BEGIN to COMMIT of a batch. */
  readonly commitSeconds: Histogram;
  /** Batches written again after PostgreSQL rolled them back for a concurrent writer (deadlock, serialization). */
  readonly commitRetries: Counter<'reason'>;
  /** 1 while PostgreSQL answers, 0 while ingest waits for it. */
  readonly databaseUp: Gauge;
  /** Rows dropped because they were older than the retention window. */
  readonly expiredRows: Counter;
  readonly consumerPending: Gauge;
  readonly consumerAckPending: Gauge;

  constructor(registry: Registry, lag: () => Promise<ConsumerLag | undefined>) {
    const registers = [registry];
    this.messages = new Counter({
      name: 'hostwatch_ingest_messages_total',
      help: 'Messages handled, by kind and outcome (stored, duplicate, quarantined, pending).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    for (const kind of [...MESSAGE_KINDS, 'unknown']) {
      for (const outcome of ['stored', 'duplicate', 'quarantined', 'pending'])
        this.messages.inc({ kind, outcome }, 0);
    }
    this.rejections = new Counter({
      name: 'hostwatch_ingest_rejections_total',
      help: 'Messages refused, by reason.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of [...QUARANTINE_REASONS, 'pending_key']) this.rejections.inc({ reason }, 0);
    this.batchSize = new Histogram({
      name: 'hostwatch_ingest_batch_size',
      help: 'Messages per committed batch.',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.commitSeconds = new Histogram({
      name: 'hostwatch_ingest_commit_seconds',
      help: 'Time to write and commit one batch.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.commitRetries = new Counter({
      name: 'hostwatch_ingest_commit_retries_total',
      help: 'Batches written again because PostgreSQL rolled them back for a concurrent writer.',
      labelNames: ['reason'],
      registers,
    });
    this.commitRetries.inc({ reason: 'conflict' }, 0);
    this.databaseUp = new Gauge({
      name: 'hostwatch_ingest_database_up',
      help: '1 while PostgreSQL answers.',
      registers,
    });
    this.databaseUp.set(1);
    this.expiredRows = new Counter({
      name: 'hostwatch_ingest_expired_rows_total',
      help: 'Rows not stored because they are dated before the retention window.',
      registers,
    });
    this.consumerPending = new Gauge({
      name: 'hostwatch_ingest_consumer_pending',
      help: 'Consumer lag: messages in the stream not yet delivered to ingest.',
      registers,
      async collect() {
        const l = await lag().catch(() => undefined);
        if (l) this.set(l.pending);
      },
    });
    this.consumerAckPending = new Gauge({
      name: 'hostwatch_ingest_consumer_ack_pending',
      help: 'Messages delivered to ingest and not yet acknowledged.',
      registers,
      async collect() {
        const l = await lag().catch(() => undefined);
        if (l) this.set(l.ackPending);
      },
    });
  }
}
