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
  /** These hosts only. */
  readonly hostIds?: readonly string[];
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

/**
 * One host as the query returns it: times as epoch milliseconds and JSON as text, so reading hosts
 * parses no dates or JSON. A refresh reads these only for hosts whose {@link hostFingerprint}
 * changed.
 */
export interface HostRow {
  host_id: string;
  status: 'pending' | 'approved' | 'revoked';
  hostname: string | null;
  addresses: string;
  first_seen: number;
  last_seen: number;
  open_alerts: number;
  time: number | null;
  cpu_used_percent: number | null;
  mem_used_percent: number;
  swap_used_percent: number;
  disk_max_used_percent: number | null;
  load1: number;
  load5: number;
  load15: number;
  uptime_seconds: number;
  cpu_count: number;
  mem_total_bytes: number;
  processes: number | null;
  approved_at: number | null;
  revoked_at: number | null;
  detail: string | null;
  keys: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function latestOf(row: HostRow): LatestStatsBody | null {
  if (row.time === null) return null;
  return {
    time: iso(row.time),
    cpuPercent: row.cpu_used_percent,
    memPercent: row.mem_used_percent,
    swapPercent: row.swap_used_percent,
    diskMaxPercent: row.disk_max_used_percent,
    load1: row.load1,
    load5: row.load5,
    load15: row.load15,
    uptimeSeconds: row.uptime_seconds,
    cpuCount: row.cpu_count,
    memTotalBytes: row.mem_total_bytes,
    processes: row.processes,
  };
}

/** The state operators see: enrollment first, then whether an approved host reported lately. */
export function hostState(
  enrollment: HostRow['status'],
  lastHeardMs: number,
  now: Date,
  offlineAfterMs: number,
): HostSummaryBody['status'] {
  if (enrollment !== 'approved') return enrollment;
  return now.getTime() - lastHeardMs <= offlineAfterMs ? 'online' : 'offline';
}

const lastHeardOf = (row: HostRow): number =>
  row.time !== null && row.time > row.last_seen ? row.time : row.last_seen;

/**
 * What a refresh compares per host: the enrollment status and when the host was last heard from
 * (its state also depends on the time), and the versions of the rows everything else its summary
 * and detail are made of.
 */
export interface HostDigestRow {
  host_id: string;
  status: HostRow['status'];
  last_heard: number;
  digest: string;
}

/**
 * A host's summary and detail as one string: equal strings give equal summaries, so a refresh
 * rebuilds only the hosts whose string changed.
 */
export function hostFingerprint(row: HostDigestRow, options: HostSummaryOptions): string {
  return `${hostState(row.status, row.last_heard, options.now, options.offlineAfterMs)}\u0001${row.digest}`;
}

/** The summary and detail of one host from its row. */
export function toHostSummary(row: HostRow, options: HostSummaryOptions): HostSummaryWithDetail {
  const lastHeard = lastHeardOf(row);
  return {
    hostId: row.host_id,
    hostname: row.hostname,
    status: hostState(row.status, lastHeard, options.now, options.offlineAfterMs),
    addresses: JSON.parse(row.addresses) as string[],
    firstSeen: iso(row.first_seen),
    lastSeen: iso(lastHeard),
    latest: latestOf(row),
    openAlerts: row.open_alerts,
    approvedAt: row.approved_at === null ? null : iso(row.approved_at),
    revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
    keys: JSON.parse(row.keys) as HostKeyRow[],
    detail: row.detail === null ? null : (JSON.parse(row.detail) as unknown),
  };
}

const ms = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);

// A host's keys as the JSON the one-host view shows.
const KEYS = sql`(SELECT coalesce(json_agg(json_build_object('keyId', k.key_id, 'status', k.status,
                   'createdAt', to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'revokedAt', to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                 ORDER BY k.created_at, k.key_id), '[]')
            FROM host_keys k WHERE k.host_id = h.host_id)::text`;

/**
 * Hosts with their latest sample (the host's `host_latest` row, kept by ingest, when taken within
 * `latestWithinMs`) and their count of firing alerts, as `h`, `s` and `a`, ordered by host id.
 */
function hostsWithLatest(options: HostSummaryOptions) {
  const since = new Date(options.now.getTime() - options.latestWithinMs);
  const which =
    options.hostId !== undefined
      ? sql`h.host_id = ${options.hostId}`
      : options.hostIds !== undefined
        ? sql`h.host_id = ANY(${[...options.hostIds]}::text[])`
        : sql`true`;
  return sql`
      FROM hosts h
      LEFT JOIN host_latest s ON s.host_id = h.host_id AND s.time >= ${since}
      LEFT JOIN (
        SELECT host_id, count(*) AS firing FROM alerter_alerts WHERE state = 'firing' AND host_id IS NOT NULL GROUP BY host_id
      ) a ON a.host_id = h.host_id
     WHERE ${which}
     ORDER BY h.host_id`;
}

/**
 * Every host (or one) as rows for {@link toHostSummary}, ordered by host id; the latest sample is
 * the one {@link hostsWithLatest} gives.
 */
export async function loadHostRows(db: Kysely<Database>, options: HostSummaryOptions): Promise<HostRow[]> {
  const { rows } = await sql<HostRow>`
    SELECT h.host_id, h.status, h.hostname, array_to_json(h.addresses)::text AS addresses,
           ${ms('h.first_seen')} AS first_seen, ${ms('h.last_seen')} AS last_seen,
           ${ms('h.approved_at')} AS approved_at, ${ms('h.revoked_at')} AS revoked_at,
           coalesce(a.firing, 0)::int AS open_alerts,
           ${ms('s.time')} AS time, s.cpu_used_percent, s.mem_used_percent, s.swap_used_percent,
           s.disk_max_used_percent, s.load1, s.load5, s.load15, s.uptime_seconds, s.cpu_count,
           s.mem_total_bytes::float8 AS mem_total_bytes, s.processes, s.detail::text AS detail, ${KEYS} AS keys
      ${hostsWithLatest(options)}`.execute(db);
  return rows;
}

/**
 * Every host (or one) as a {@link HostDigestRow}, ordered by host id: four columns instead of a
 * full row's 23, so reading the fleet at each refresh costs the API's event loop a fraction of what
 * parsing and joining full rows did. The digest is the versions (`xmin`) of the host's rows that
 * {@link loadHostRows} reads (`hosts`, the `host_latest` row while it is recent enough, every
 * `host_keys` row) and its count of firing alerts, as a record's text so that a missing row differs
 * from any other: every write gives a row a new version, so a changed row always changes the
 * digest, and PostgreSQL never turns a row into text (an MD5 of the rows' text cost three times as
 * much of its time).
 */
export async function loadHostDigests(
  db: Kysely<Database>,
  options: HostSummaryOptions,
): Promise<HostDigestRow[]> {
  const { rows } = await sql<HostDigestRow>`
    SELECT h.host_id, h.status, greatest(${ms('h.last_seen')}, ${ms('s.time')}) AS last_heard,
           ROW(h.xmin, s.xmin, a.firing,
               (SELECT string_agg(k.xmin::text, ' ' ORDER BY k.key_id) FROM host_keys k WHERE k.host_id = h.host_id)
              )::text AS digest
      ${hostsWithLatest(options)}`.execute(db);
  return rows;
}

/**
 * Every host (or one) with its latest stats sample, open alert count, approval times and keys,
 * ordered by host id.
 */
export async function loadHostSummaries(
  db: Kysely<Database>,
  options: HostSummaryOptions,
): Promise<HostSummaryWithDetail[]> {
  return (await loadHostRows(db, options)).map((row) => toHostSummary(row, options));
}
