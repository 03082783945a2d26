import type { SshMessageV1 } from '@hostwatch/contract';
import type pg from 'pg';
import { utcDay } from './partition-manager.js';

/** An ssh message to store, with the id it arrived under. */
export interface SshItem {
  readonly messageId: string;
  readonly message: SshMessageV1;
}

interface NewEvent {
  host_id: string;
  time: Date;
  event: string;
  session: string;
  source: string | null;
  port: number | null;
  pid: number | null;
  username: string | null;
  method: string | null;
  count: number;
  message_id: string;
}

const INSERT_EVENTS = `
INSERT INTO ssh_events (host_id, event_id, time, event, session, log_host, pid, source, port, username, method, count, message_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::int[],
  $8::text[], $9::int[], $10::text[], $11::text[], $12::int[], $13::text[])
ON CONFLICT DO NOTHING
RETURNING host_id, time, event, session, source, port, pid, username, method, count, message_id`;

// Merging is commutative and each event reaches it once (only newly inserted events are
// returned above), so a session is right whatever order and however often its events arrive.
const UPSERT_SESSIONS = `
INSERT INTO ssh_sessions AS s (host_id, session, started_at, ended_at, source, port, pid, users, methods,
  failures, invalid_users, accepted, events, closed)
SELECT host_id, session, started_at, ended_at, source, port, pid,
  ARRAY(SELECT jsonb_array_elements_text(users::jsonb)), ARRAY(SELECT jsonb_array_elements_text(methods::jsonb)),
  failures, invalid_users, accepted, events, closed
FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::int[], $7::int[],
  $8::text[], $9::text[], $10::int[], $11::int[], $12::int[], $13::int[], $14::boolean[])
  AS v(host_id, session, started_at, ended_at, source, port, pid, users, methods, failures, invalid_users, accepted, events, closed)
ON CONFLICT (host_id, session) DO UPDATE SET
  started_at = least(s.started_at, excluded.started_at),
  ended_at = greatest(s.ended_at, excluded.ended_at),
  source = coalesce(s.source, excluded.source),
  port = coalesce(s.port, excluded.port),
  pid = coalesce(s.pid, excluded.pid),
  users = ARRAY(SELECT DISTINCT u FROM unnest(s.users || excluded.users) AS u ORDER BY u),
  methods = ARRAY(SELECT DISTINCT m FROM unnest(s.methods || excluded.methods) AS m ORDER BY m),
  failures = s.failures + excluded.failures,
  invalid_users = s.invalid_users + excluded.invalid_users,
  accepted = s.accepted + excluded.accepted,
  events = s.events + excluded.events,
  closed = s.closed OR excluded.closed,
  updated_at = now()`;

const CLAIM_SESSIONS = `
INSERT INTO ssh_daily_sessions (host_id, day, session)
SELECT * FROM unnest($1::text[], $2::date[], $3::text[])
ON CONFLICT DO NOTHING
RETURNING host_id, day::text AS day`;

const CLAIM_SOURCES = `
INSERT INTO ssh_daily_sources (host_id, day, source)
SELECT * FROM unnest($1::text[], $2::date[], $3::text[])
ON CONFLICT DO NOTHING
RETURNING host_id, day::text AS day`;

const UPSERT_DAILY = `
INSERT INTO ssh_daily AS d (host_id, day, attempts, failures, invalid_users, accepted, sources)
SELECT * FROM unnest($1::text[], $2::date[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[])
ON CONFLICT (host_id, day) DO UPDATE SET
  attempts = d.attempts + excluded.attempts,
  failures = d.failures + excluded.failures,
  invalid_users = d.invalid_users + excluded.invalid_users,
  accepted = d.accepted + excluded.accepted,
  sources = d.sources + excluded.sources`;

interface SessionAgg {
  host: string;
  session: string;
  start: number;
  end: number;
  source: string | null;
  port: number | null;
  pid: number | null;
  users: Set<string>;
  methods: Set<string>;
  failures: number;
  invalid: number;
  accepted: number;
  events: number;
  closed: boolean;
}

interface DayAgg {
  host: string;
  day: string;
  attempts: number;
  failures: number;
  invalid: number;
  accepted: number;
  sources: number;
}

function columns(n: number): unknown[][] {
  return Array.from({ length: n }, () => []);
}

function push(cols: unknown[][], values: readonly unknown[]): void {
  values.forEach((v, i) => (cols[i] as unknown[]).push(v));
}

const byKey = <T>(map: Map<string, T>): T[] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

/**
 * Inserts sshd events at most once per (host, event id), skipping those dated before `keepFrom`,
 * then folds the newly inserted ones, and only those, into their sessions and into the per-host
 * per-day rollup. Returns the ids of the messages that added an event.
 */
export async function writeSshEvents(
  client: pg.ClientBase,
  items: readonly SshItem[],
  keepFrom: number,
): Promise<Set<string>> {
  const ev = columns(13);
  for (const { messageId, message } of items) {
    for (const e of message.events) {
      if (Date.parse(e.time) < keepFrom) continue;
      push(ev, [
        message.hostId,
        e.id,
        e.time,
        e.event,
        e.session,
        e.logHost ?? null,
        e.pid ?? null,
        e.source ?? null,
        e.port ?? null,
        e.user ?? null,
        e.method ?? null,
        e.count,
        messageId,
      ]);
    }
  }
  if ((ev[0] as unknown[]).length === 0) return new Set();
  const { rows } = await client.query<NewEvent>({
    name: 'ingest_ssh_events_v1',
    text: INSERT_EVENTS,
    values: ev,
  });
  if (rows.length === 0) return new Set();

  const sessions = new Map<string, SessionAgg>();
  const days = new Map<string, DayAgg>();
  const daySessions = new Map<string, [string, string, string]>();
  const daySources = new Map<string, [string, string, string]>();
  for (const r of rows) {
    const t = r.time.getTime();
    const key = `${r.host_id}\0${r.session}`;
    let s = sessions.get(key);
    if (!s) {
      s = {
        host: r.host_id,
        session: r.session,
        start: t,
        end: t,
        source: null,
        port: null,
        pid: null,
        users: new Set(),
        methods: new Set(),
        failures: 0,
        invalid: 0,
        accepted: 0,
        events: 0,
        closed: false,
      };
      sessions.set(key, s);
    }
    s.start = Math.min(s.start, t);
    s.end = Math.max(s.end, t);
    s.source ??= r.source;
    s.port ??= r.port;
    s.pid ??= r.pid;
    if (r.username !== null) s.users.add(r.username);
    if (r.method !== null) s.methods.add(r.method);
    s.events += 1;
    if (r.event === 'failed') s.failures += r.count;
    if (r.event === 'invalid_user') s.invalid += r.count;
    if (r.event === 'accepted') s.accepted += 1;
    if (r.event === 'disconnected' || r.event === 'session_closed') s.closed = true;

    const day = utcDay(t);
    const dayKey = `${r.host_id}\0${day}`;
    let d = days.get(dayKey);
    if (!d) {
      d = { host: r.host_id, day, attempts: 0, failures: 0, invalid: 0, accepted: 0, sources: 0 };
      days.set(dayKey, d);
    }
    if (r.event === 'failed') d.failures += r.count;
    if (r.event === 'invalid_user') d.invalid += r.count;
    if (r.event === 'accepted') d.accepted += 1;
    daySessions.set(`${dayKey}\0${r.session}`, [r.host_id, day, r.session]);
    if (r.source !== null) daySources.set(`${dayKey}\0${r.source}`, [r.host_id, day, r.source]);
  }

  const ss = columns(14);
  for (const s of byKey(sessions)) {
    push(ss, [
      s.host,
      s.session,
      new Date(s.start),
      new Date(s.end),
      s.source,
      s.port,
      s.pid,
      JSON.stringify([...s.users]),
      JSON.stringify([...s.methods]),
      s.failures,
      s.invalid,
      s.accepted,
      s.events,
      s.closed,
    ]);
  }
  await client.query({ name: 'ingest_ssh_sessions_v1', text: UPSERT_SESSIONS, values: ss });

  const claim = async (
    name: string,
    text: string,
    entries: Map<string, [string, string, string]>,
    field: 'attempts' | 'sources',
  ): Promise<void> => {
    if (entries.size === 0) return;
    const cols = columns(3);
    for (const e of byKey(entries)) push(cols, e);
    const claimed = await client.query<{ host_id: string; day: string }>({ name, text, values: cols });
    for (const c of claimed.rows) {
      const d = days.get(`${c.host_id}\0${c.day}`);
      if (d) d[field] += 1;
    }
  };
  await claim('ingest_ssh_claim_sessions_v1', CLAIM_SESSIONS, daySessions, 'attempts');
  await claim('ingest_ssh_claim_sources_v1', CLAIM_SOURCES, daySources, 'sources');

  const dd = columns(7);
  for (const d of byKey(days))
    push(dd, [d.host, d.day, d.attempts, d.failures, d.invalid, d.accepted, d.sources]);
  await client.query({ name: 'ingest_ssh_daily_v1', text: UPSERT_DAILY, values: dd });

  return new Set(rows.map((r) => r.message_id));
}
