import { CONSUMER_NAMES, STREAM_NAME, SUBJECT_PREFIX, hostSubjects } from '@hostwatch/contract';

/** Subjects one NATS user may publish and subscribe to; `deny` wins over `allow`, anything not allowed is refused. */
export interface SubjectPermissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[]; readonly deny?: readonly string[] };
}

/** The services and people that connect to NATS besides the agents, each as its own user. */
export const SERVICE_ROLES = ['ingest', 'alerter', 'api', 'operator'] as const;

/** One of {@link SERVICE_ROLES}. */
export type ServiceRole = (typeof SERVICE_ROLES)[number];

/** Whether `value` names a service role. */
export function isServiceRole(value: string): value is ServiceRole {
  return (SERVICE_ROLES as readonly string[]).includes(value);
}

/**
 * Inbox prefix of the nkey user `publicKey`, the same rule as `inboxPrefixFor` in `@hostwatch/nats`:
 * a user may subscribe only to replies under its own public key, so no one reads another's replies.
 */
export function inboxOf(publicKey: string): string {
  return `_INBOX_${publicKey}`;
}

const API = '$JS.API';
const STREAM = STREAM_NAME;

/**
 * An agent: publishes only its own host's subjects and subscribes only to its own inbox, where
 * JetStream's publish acknowledgements arrive. It can neither read the stream nor call the API.
 */
export function agentPermissions(hostId: string, publicKey: string): SubjectPermissions {
  return {
    publish: { allow: [hostSubjects(hostId)] },
    subscribe: { allow: [`${inboxOf(publicKey)}.>`] },
  };
}

// What a service that provisions the topology (ensureTopology) and consumes through its own
// durable needs. ensureTopology creates every durable, so each consuming service may create and
// inspect all of them, but pull and acknowledge only its own.
function consumerPermissions(consumer: string, publicKey: string): SubjectPermissions {
  const durables = CONSUMER_NAMES.flatMap((name) => [
    `${API}.CONSUMER.INFO.${STREAM}.${name}`,
    `${API}.CONSUMER.CREATE.${STREAM}.${name}`,
    `${API}.CONSUMER.CREATE.${STREAM}.${name}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${STREAM}.${name}`,
  ]);
  return {
    publish: {
      allow: [
        `${API}.INFO`,
        `${API}.STREAM.INFO.${STREAM}`,
        `${API}.STREAM.CREATE.${STREAM}`,
        `${API}.STREAM.UPDATE.${STREAM}`,
        `${API}.STREAM.MSG.GET.${STREAM}`,
        `${API}.DIRECT.GET.${STREAM}`,
        `${API}.DIRECT.GET.${STREAM}.>`,
        ...durables,
        `${API}.CONSUMER.MSG.NEXT.${STREAM}.${consumer}`,
        `$JS.ACK.${STREAM}.${consumer}.>`,
      ],
    },
    subscribe: {
      allow: [`${inboxOf(publicKey)}.>`, `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${STREAM}.${consumer}`],
    },
  };
}

// The durables' own subjects, which no one but their service may pull from or acknowledge on.
const DURABLES_ONLY = CONSUMER_NAMES.flatMap((name) => [
  `${API}.CONSUMER.MSG.NEXT.${STREAM}.${name}`,
  `${API}.CONSUMER.CREATE.${STREAM}.${name}`,
  `${API}.CONSUMER.CREATE.${STREAM}.${name}.>`,
  `${API}.CONSUMER.DURABLE.CREATE.${STREAM}.${name}`,
  `${API}.CONSUMER.DELETE.${STREAM}.${name}`,
  `$JS.ACK.${STREAM}.${name}.>`,
]);

/**
 * A service's least privilege. ingest and alerter: the stream and their own durable; api: read the
 * stream's and consumers' state; operator (`hostwatch tail`, `nats sub`): read every subject and
 * make ephemeral consumers, but never publish a host's subject nor touch the services' durables.
 */
export function servicePermissions(role: ServiceRole, publicKey: string): SubjectPermissions {
  const inbox = `${inboxOf(publicKey)}.>`;
  switch (role) {
    case 'ingest':
    case 'alerter':
      return consumerPermissions(role, publicKey);
    case 'api':
      return {
        publish: {
          allow: [`${API}.INFO`, `${API}.STREAM.INFO.${STREAM}`, `${API}.CONSUMER.INFO.${STREAM}.*`],
        },
        subscribe: { allow: [inbox] },
      };
    case 'operator':
      return {
        publish: {
          allow: [
            `${API}.INFO`,
            `${API}.STREAM.INFO.${STREAM}`,
            `${API}.STREAM.MSG.GET.${STREAM}`,
            `${API}.CONSUMER.INFO.${STREAM}.*`,
            // Without a name the server makes only ephemerals: a durable name in the request is refused.
            `${API}.CONSUMER.CREATE.${STREAM}`,
            `${API}.CONSUMER.CREATE.${STREAM}.>`,
            `${API}.CONSUMER.MSG.NEXT.${STREAM}.*`,
            `${API}.CONSUMER.DELETE.${STREAM}.*`,
          ],
          deny: DURABLES_ONLY,
        },
        subscribe: { allow: [inbox, `${SUBJECT_PREFIX}.>`] },
      };
  }
}
