import { Type, type Static } from '@sinclair/typebox';
import { DateTime, HostId, Nullable, StringEnum } from './common.js';

/** What a host is, as operators see it: enrollment combined with whether it reports. */
export const HostState = StringEnum(['online', 'offline', 'pending', 'revoked'], {
  description:
    'online/offline: approved and reporting or not; pending: waiting for approval; revoked: refused',
});

/** The most recent stats sample of a host. */
export const LatestStats = Type.Object(
  {
    time: DateTime,
    cpuPercent: Nullable(Type.Number()),
    memPercent: Type.Number(),
    swapPercent: Type.Number(),
    diskMaxPercent: Nullable(Type.Number({ description: 'Fullest mounted file system' })),
    load1: Type.Number(),
    load5: Type.Number(),
    load15: Type.Number(),
    uptimeSeconds: Type.Number(),
    cpuCount: Type.Integer(),
    memTotalBytes: Type.Number(),
    processes: Nullable(Type.Integer()),
  },
  { additionalProperties: false, title: 'LatestStats' },
);

/** One host in the fleet list. */
export const HostSummary = Type.Object(
  {
    hostId: HostId,
    hostname: Nullable(Type.String()),
    status: HostState,
    addresses: Type.Array(Type.String()),
    firstSeen: DateTime,
    lastSeen: DateTime,
    latest: Nullable(LatestStats),
    openAlerts: Type.Integer({ minimum: 0, description: 'Alerts firing now' }),
  },
  { additionalProperties: false, title: 'HostSummary' },
);

/** A host summary as the code builds it. */
export type HostSummaryBody = Static<typeof HostSummary>;

/** A latest-stats sample as the code builds it. */
export type LatestStatsBody = Static<typeof LatestStats>;
