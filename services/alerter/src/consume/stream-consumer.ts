import { jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import { CONSUMER_SPECS, STREAM_NAME } from '@hostwatch/contract';
import type { connectWithBackoff } from '@hostwatch/nats';
import { BatchPipeline, type BatchPipelineOptions } from './batch-pipeline.js';

/** A NATS connection, as `@hostwatch/nats` hands it out. */
export type NatsConnection = Awaited<ReturnType<typeof connectWithBackoff>>;

/** Options of {@link StreamConsumer}: the pipeline's, and the connection to read from. */
export interface StreamConsumerOptions extends BatchPipelineOptions {
  readonly nc: NatsConnection;
}

/**
 * Reads the alerter's durable consumer and feeds a {@link BatchPipeline}: messages that arrived
 * together are opened and validated as one batch, evaluated in one transaction, and acknowledged
 * after it committed.
 */
export class StreamConsumer {
  readonly #o: StreamConsumerOptions;
  readonly #pipeline: BatchPipeline;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: StreamConsumerOptions) {
    this.#o = options;
    this.#pipeline = new BatchPipeline(options);
  }

  /** Whether the last batch was committed (false while the database is failing). */
  get healthy(): boolean {
    return this.#pipeline.healthy;
  }

  /** Starts consuming in the background. */
  async start(): Promise<void> {
    const js = jetstream(this.#o.nc);
    const consumer = await js.consumers.get(STREAM_NAME, CONSUMER_SPECS.alerter.durableName);
    // Two batches' worth: one being opened while the one before it is recorded.
    this.#messages = await consumer.consume({ max_messages: (this.#o.batchSize ?? 5_000) * 2 });
    const messages = this.#messages;
    this.#loop = (async () => {
      for await (const msg of messages) await this.#pipeline.push(msg);
    })();
  }

  /** Stops fetching, finishes the batches in hand, and closes the subscription. */
  async stop(): Promise<void> {
    await this.#messages?.close();
    await this.#loop;
    await this.#pipeline.stop();
  }
}
