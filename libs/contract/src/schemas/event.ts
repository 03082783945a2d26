import { Type, type Static } from '@sinclair/typebox';
import { SECURITY_EVENT_TYPES } from '../vocabulary.js';
import { EventId, HostId, Timestamp } from './common.js';

/** One security event read from a host's auth log. */
export const SecurityEvent = Type.Object(
  {
    id: EventId,
    time: Timestamp,
    type: Type.Union(SECURITY_EVENT_TYPES.map((k) => Type.Literal(k))),
    logHost: Type.Optional(Type.String({ maxLength: 255 })),
    user: Type.Optional(Type.String({ maxLength: 255, description: 'who acted' })),
    target: Type.Optional(Type.String({ maxLength: 255, description: 'whom or what it acted on' })),
    command: Type.Optional(Type.String({ maxLength: 4096 })),
    tty: Type.Optional(Type.String({ maxLength: 64 })),
    allowed: Type.Optional(Type.Boolean()),
    detail: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/** A security event. */
export type SecurityEvent = Static<typeof SecurityEvent>;

/** Version 1 of the `event` message: a batch of security events of one host. */
export const EventMessageV1 = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('event'),
    hostId: HostId,
    events: Type.Array(SecurityEvent, { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false, $id: 'EventMessageV1' },
);

/** An `event` message, version 1. */
export type EventMessageV1 = Static<typeof EventMessageV1>;
