import { Type, type Static } from '@sinclair/typebox';
import { SSH_EVENT_KINDS } from '../vocabulary.js';
import { Count, EventId, HostId, Timestamp } from './common.js';

/** One sshd event of a host, with the session (sshd connection) it belongs to. */
export const SshEvent = Type.Object(
  {
    id: EventId,
    time: Timestamp,
    event: Type.Union(SSH_EVENT_KINDS.map((k) => Type.Literal(k))),
    session: Type.String({ minLength: 1, maxLength: 200, description: 'id of the sshd connection' }),
    logHost: Type.Optional(Type.String({ maxLength: 255 })),
    pid: Type.Optional(Type.Integer({ minimum: 0 })),
    source: Type.Optional(Type.String({ maxLength: 255 })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    user: Type.Optional(Type.String({ maxLength: 255 })),
    method: Type.Optional(Type.String({ maxLength: 64 })),
    /**
     * Attempts the line stands for: N for `message repeated N times`, else 1; 0 for a PAM report of a
     * failure that sshd reports again in its own line, so that sums never count it twice.
     */
    count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** An sshd event. */
export type SshEvent = Static<typeof SshEvent>;

/** Version 1 of the `ssh` message: a batch of sshd events read from one host's logs. */
export const SshMessageV1 = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('ssh'),
    hostId: HostId,
    events: Type.Array(SshEvent, { minItems: 1, maxItems: 1000 }),
    unparsed: Type.Optional(Count),
  },
  { additionalProperties: false, $id: 'SshMessageV1' },
);

/** An `ssh` message, version 1. */
export type SshMessageV1 = Static<typeof SshMessageV1>;
