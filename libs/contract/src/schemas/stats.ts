import { Type, type Static } from '@sinclair/typebox';
import { Count, HostId, Percent, Timestamp } from './common.js';

const Disk = Type.Object(
  {
    mount: Type.String({ minLength: 1, maxLength: 4096 }),
    device: Type.String({ maxLength: 4096 }),
    fstype: Type.String({ maxLength: 64 }),
    totalBytes: Count,
    availableBytes: Count,
    usedPercent: Percent,
  },
  { additionalProperties: false },
);

const NetworkInterface = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), rxBytes: Count, txBytes: Count },
  { additionalProperties: false },
);

const AgentHealth = Type.Object(
  {
    version: Type.String({ maxLength: 64 }),
    unparsedLines: Count,
    unparsedSamples: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 10 }),
    spoolDepth: Count,
    spoolFull: Type.Boolean(),
    /** Messages the agent could neither deliver nor spool (the spool was full). */
    dropped: Type.Optional(Count),
    publishLatencyMs: Type.Optional(Type.Number({ minimum: 0 })),
    lastAckAt: Type.Optional(Timestamp),
    collectorErrors: Type.Record(Type.String(), Count),
  },
  { additionalProperties: false },
);

/** Version 1 of the `stats` message: one sample of a host's load, taken every interval. */
export const StatsMessageV1 = Type.Object(
  {
    v: Type.Literal(1),
    kind: Type.Literal('stats'),
    hostId: HostId,
    bootId: Type.String({ minLength: 1, maxLength: 64 }),
    seq: Count,
    time: Timestamp,
    intervalMs: Type.Integer({ minimum: 1 }),
    hostname: Type.String({ maxLength: 255 }),
    os: Type.String({ maxLength: 64 }),
    addresses: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 256 }),
    cpu: Type.Object(
      {
        count: Type.Integer({ minimum: 1 }),
        usedPercent: Type.Optional(Percent),
        cores: Type.Array(Percent, { maxItems: 4096 }),
      },
      { additionalProperties: false },
    ),
    memory: Type.Object(
      { totalBytes: Count, availableBytes: Count, usedPercent: Percent },
      { additionalProperties: false },
    ),
    swap: Type.Object({ totalBytes: Count, freeBytes: Count, usedPercent: Percent }, { additionalProperties: false }),
    load: Type.Tuple([Type.Number({ minimum: 0 }), Type.Number({ minimum: 0 }), Type.Number({ minimum: 0 })]),
    uptimeSeconds: Type.Number({ minimum: 0 }),
    processes: Type.Optional(Count),
    disks: Type.Array(Disk, { maxItems: 1024 }),
    network: Type.Array(NetworkInterface, { maxItems: 1024 }),
    agent: AgentHealth,
  },
  { additionalProperties: false, $id: 'StatsMessageV1' },
);

/** A `stats` message, version 1. */
export type StatsMessageV1 = Static<typeof StatsMessageV1>;
