import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CONSUMER_SPECS, streamSpec, type ConsumerSpec, type StreamLimits, type StreamSpec } from '@hostwatch/contract/light';

const NS_PER_MS = 1_000_000;

/** The stream exists with settings that cannot be changed in place (retention, storage). */
export class StreamConflictError extends Error {
  override readonly name = 'StreamConflictError';
}

/** The JetStream configuration of a {@link StreamSpec}. */
export function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: RetentionPolicy.Interest,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    duplicate_window: spec.duplicateWindowMs * NS_PER_MS,
    max_bytes: spec.maxBytes,
    max_age: spec.maxAgeMs * NS_PER_MS,
    max_msg_size: spec.maxMessageBytes,
    num_replicas: spec.replicas,
  };
}

/** The JetStream configuration of a {@link ConsumerSpec}. */
export function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: spec.durableName,
    description: spec.description,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: spec.ackWaitMs * NS_PER_MS,
    max_deliver: spec.maxDeliver,
    max_ack_pending: spec.maxAckPending,
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}

/** What {@link ensureStream} did. */
export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Creates the stream, or brings an existing one to `spec` where JetStream allows it; refuses with
 * {@link StreamConflictError} when retention or storage differ (they cannot change in place).
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<EnsureOutcome> {
  const wanted = streamConfig(spec);
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(spec.name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(wanted);
    return 'created';
  }
  const fixed = (['retention', 'storage'] as const).filter((k) => current[k] !== wanted[k]);
  if (fixed.length > 0) {
    const what = fixed.map((k) => `${k} is ${current[k]}, want ${wanted[k]}`).join('; ');
    throw new StreamConflictError(`stream ${spec.name} exists with other settings (${what}); delete it or migrate it by hand`);
  }
  const keys = ['discard', 'duplicate_window', 'max_bytes', 'max_age', 'max_msg_size', 'num_replicas'] as const;
  const subjectsDiffer = JSON.stringify(current.subjects) !== JSON.stringify(wanted.subjects);
  if (!subjectsDiffer && keys.every((k) => current[k] === wanted[k])) return 'unchanged';
  await jsm.streams.update(spec.name, { ...current, ...wanted });
  return 'updated';
}

/** Creates the durable consumer, or updates an existing one to `spec`. */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, spec: ConsumerSpec): Promise<EnsureOutcome> {
  const wanted = consumerConfig(spec);
  let current: ConsumerConfig;
  try {
    current = (await jsm.consumers.info(stream, spec.durableName)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(stream, wanted);
    return 'created';
  }
  const keys = ['description', 'filter_subject', 'ack_wait', 'max_deliver', 'max_ack_pending'] as const;
  if (keys.every((k) => current[k] === wanted[k])) return 'unchanged';
  const { durable_name: _name, deliver_policy: _deliver, ack_policy: _ack, ...changeable } = wanted;
  await jsm.consumers.update(stream, spec.durableName, changeable);
  return 'updated';
}

/** Provisions the `HOSTWATCH` stream and every service's durable consumer; safe to run any number of times. */
export async function ensureTopology(
  nc: NatsConnection,
  limits: StreamLimits = {},
): Promise<{ stream: EnsureOutcome; consumers: Record<string, EnsureOutcome> }> {
  const jsm = await jetstreamManager(nc);
  const spec = streamSpec(limits);
  const stream = await ensureStream(jsm, spec);
  const consumers: Record<string, EnsureOutcome> = {};
  for (const consumer of Object.values(CONSUMER_SPECS)) {
    consumers[consumer.durableName] = await ensureConsumer(jsm, spec.name, consumer);
  }
  return { stream, consumers };
}
