import type { Database } from '@hostwatch/db';
import { sql, type Kysely } from 'kysely';
import type { HostSummaryBody, LatestStatsBody } from '../schemas/host.js';

/** How to judge and load hosts. */
export interface HostSummaryOptions {
  /** Now, from the injected clock. */
  readonly now: Date;
  /** An approved host is offline when it has not been seen for this long. */
  readonly offlineAfterMs: number;
  /** A latest sample older than this is not shown. */
  readonly latestWithinMs: number;
  /** One host only (default: every host). */
  readonly hostId?: string;
}

/** A host's key as {@link loadHostSummaries} returns it for one host. */
export interface HostKeyRow {
  readonly keyId: string;
  readonly status: 'pending' | 'approved' | 'revoked';
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A host summary with what only the one-host view shows. */
export interface HostSummaryWithDetail extends HostSummaryBody {
  readonly approvedAt: string | null;
  readonly revokedAt: string | null;
  readonly keys: HostKeyRow[];
  readonly detail: unknown;
}

interface HostRow {
  host_id: string;
  status: 'pending' | 'approved' | 'revoked';
  hostname: string | null;
  addresses: string[];
  first_seen: Date;
  last_seen: Date;
  open_alerts: string;
  time: Date | null;
  cpu_used_percent: number | null;
  mem_used_percent: number;
  swap_used_percent: number;
  disk_max_used_percent: number | null;
  load1: number;
  load5: number;
  load15: number;
  uptime_seconds: number;
  cpu_count: number;
  mem_total_bytes: string;
  processes: number | null;
  approved_at: Date | null;
  revoked_at: Date | null;
  detail: unknown;
  keys: { keyId: string; status: HostKeyRow['status']; createdAt: string; revokedAt: string | null }[];
}

function latestOf(row: HostRow): LatestStatsBody | null {
  if (row.time === null) return null;
  return {
    time: row.time.toISOString(),
    cpuPercent: row.cpu_used_percent,
    memPercent: row.mem_used_percent,
    swapPercent: row.swap_used_percent,
    diskMaxPercent: row.disk_max_used_percent,
    load1: row.load1,
    load5: row.load5,
    load15: row.load15,
    uptimeSeconds: row.uptime_seconds,
    cpuCount: row.cpu_count,
    memTotalBytes: Number(row.mem_total_bytes),
    processes: row.processes,
  };
}

/** The state operators see: enrollment first, then whether an approved host reported lately. */
export function hostState(
  enrollment: HostRow['status'],
  lastHeard: Date,
  now: Date,
  offlineAfterMs: number,
): HostSummaryBody['status'] {
  if (enrollment !== 'approved') return enrollment;
  return now.getTime() - lastHeard.getTime() <= offlineAfterMs ? 'online' : 'offline';
}

/**
 * Every host (or one) with its latest stats sample, open alert count, approval times and keys,
 * ordered by host id. The latest sample is the host's `host_latest` row (kept by ingest), when
 * taken within `latestWithinMs`.
 */
export async function loadHostSummaries(
  db: Kysely<Database>,
  options: HostSummaryOptions,
): Promise<HostSummaryWithDetail[]> {
  const since = new Date(options.now.getTime() - options.latestWithinMs);
  const { rows } = await sql<HostRow>`
    SELECT h.host_id, h.status, h.hostname, h.addresses, h.first_seen, h.last_seen, h.approved_at, h.revoked_at,
           coalesce(a.firing, 0) AS open_alerts,
           s.time, s.cpu_used_percent, s.mem_used_percent, s.swap_used_percent, s.disk_max_used_percent,
           s.load1, s.load5, s.load15, s.uptime_seconds, s.cpu_count, s.mem_total_bytes, s.processes, s.detail,
           (SELECT coalesce(json_agg(json_build_object('keyId', k.key_id, 'status', k.status,
                     'createdAt', to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                     'revokedAt', to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                   ORDER BY k.created_at, k.key_id), '[]')
              FROM host_keys k WHERE k.host_id = h.host_id) AS keys
      FROM hosts h
      LEFT JOIN host_latest s ON s.host_id = h.host_id AND s.time >= ${since}
      LEFT JOIN (
        SELECT host_id, count(*) AS firing FROM alerter_alerts WHERE state = 'firing' AND host_id IS NOT NULL GROUP BY host_id
      ) a ON a.host_id = h.host_id
     WHERE ${options.hostId === undefined ? sql`true` : sql`h.host_id = ${options.hostId}`}
     ORDER BY h.host_id`.execute(db);
  return rows.map((row) => {
    const lastHeard = row.time !== null && row.time > row.last_seen ? row.time : row.last_seen;
    return {
      hostId: row.host_id,
      hostname: row.hostname,
      status: hostState(row.status, lastHeard, options.now, options.offlineAfterMs),
      addresses: row.addresses,
      firstSeen: row.first_seen.toISOString(),
      lastSeen: lastHeard.toISOString(),
      latest: latestOf(row),
      openAlerts: Number(row.open_alerts),
      approvedAt: row.approved_at?.toISOString() ?? null,
      revokedAt: row.revoked_at?.toISOString() ?? null,
      keys: row.keys,
      detail: row.detail ?? null,
    };
  });
}
