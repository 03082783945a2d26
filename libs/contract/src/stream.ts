import { SUBJECT_PREFIX } from './subjects.js';

/** Name of the one JetStream stream that carries every hostwatch message. */
export const STREAM_NAME = 'HOSTWATCH';

/** Largest plaintext body a host may seal, in bytes. */
export const MAX_BODY_BYTES = 512 * 1024;

/** Largest message the stream accepts, in bytes: the sealed body plus its overhead, with room to spare. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The stream's settings, independent of any client library. */
export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
  /** Messages are kept until every durable consumer acknowledged them, or `maxAgeMs` passed. */
  readonly retention: 'interest';
  readonly storage: 'file';
  /** When full, new publishes are refused (the agent spools and retries); nothing stored is dropped. */
  readonly discard: 'new';
  readonly duplicateWindowMs: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly maxMessageBytes: number;
  readonly replicas: number;
}

/** Operator-tunable limits of the stream. */
export interface StreamLimits {
  readonly maxBytes?: number;
  readonly maxAgeMs?: number;
  readonly duplicateWindowMs?: number;
  readonly replicas?: number;
}

/** Defaults: 10 GiB, 14 days (the outage the consumers may fall behind by), 10 minutes of de-duplication. */
export const DEFAULT_STREAM_LIMITS: Required<StreamLimits> = {
  maxBytes: 10 * 1024 ** 3,
  maxAgeMs: 14 * 24 * 3600 * 1000,
  duplicateWindowMs: 10 * 60 * 1000,
  replicas: 1,
};

/** The `HOSTWATCH` stream as provisioned, with `limits` over the defaults. */
export function streamSpec(limits: StreamLimits = {}): StreamSpec {
  const l = { ...DEFAULT_STREAM_LIMITS, ...limits };
  return {
    name: STREAM_NAME,
    subjects: [`${SUBJECT_PREFIX}.>`],
    retention: 'interest',
    storage: 'file',
    discard: 'new',
    duplicateWindowMs: l.duplicateWindowMs,
    maxBytes: l.maxBytes,
    maxAgeMs: l.maxAgeMs,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    replicas: l.replicas,
  };
}

/** A durable pull consumer's settings, independent of any client library. */
export interface ConsumerSpec {
  readonly durableName: string;
  readonly description: string;
  readonly filterSubject: string;
  readonly ackPolicy: 'explicit';
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxAckPending: number;
}

/** The services that read the stream, each through its own durable consumer. */
export const CONSUMER_NAMES = ['ingest', 'alerter'] as const;

/** One of {@link CONSUMER_NAMES}. */
export type ConsumerName = (typeof CONSUMER_NAMES)[number];

/**
 * The durable consumers. AckWait covers one batch commit with room to spare (a service that
 * needs longer sends progress acks); a consumer that cannot reach its database stops fetching
 * and naks with a delay instead of letting deliveries run out, so MaxDeliver only counts messages
 * that really fail, whose last delivery is captured into the quarantine.
 */
export const CONSUMER_SPECS: { readonly [K in ConsumerName]: ConsumerSpec } = {
  ingest: {
    durableName: 'ingest',
    description: 'hostwatch ingest: every message into PostgreSQL',
    filterSubject: `${SUBJECT_PREFIX}.>`,
    ackPolicy: 'explicit',
    ackWaitMs: 30_000,
    maxDeliver: 10,
    maxAckPending: 20_000,
  },
  alerter: {
    durableName: 'alerter',
    description: 'hostwatch alerter: rule evaluation and security mail',
    filterSubject: `${SUBJECT_PREFIX}.>`,
    ackPolicy: 'explicit',
    ackWaitMs: 30_000,
    maxDeliver: 10,
    maxAckPending: 20_000,
  },
};
