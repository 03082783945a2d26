import type { Database } from '@hostwatch/db';
import { sql, type Kysely } from 'kysely';
import { alertBody, type AlertRow } from '../routes/alerts.js';
import type { FleetSnapshot } from './fleet-snapshot.js';

/** One server-sent event: its type and JSON payload. */
export interface LiveEvent {
  readonly type: 'host' | 'session' | 'alert';
  readonly data: unknown;
}

/** Options of {@link LiveFeed}. */
export interface LiveFeedOptions {
  readonly db: Kysely<Database>;
  readonly snapshot: FleetSnapshot;
  readonly now: () => Date;
  /** How often the database is polled for changes. */
  readonly intervalMs: number;
  readonly onError: (err: unknown) => void;
}

interface SessionRow {
  host_id: string;
  session: string;
  started_at: Date;
  ended_at: Date;
  source: string | null;
  users: string[];
  failures: number;
  invalid_users: number;
  accepted: number;
  closed: boolean;
}

/** The outcome of an ssh session: anyone got in, someone tried and failed, or nobody tried to log in. */
export function sessionOutcome(row: {
  accepted: number;
  failures: number;
  invalid_users: number;
}): 'accepted' | 'failed' | 'probe' {
  if (row.accepted > 0) return 'accepted';
  return row.failures > 0 || row.invalid_users > 0 ? 'failed' : 'probe';
}

/**
 * Polls PostgreSQL on one timer for every subscriber: refreshes the fleet snapshot (host events)
 * and reads ssh sessions that moved since the last poll (session events).
 */
export class LiveFeed {
  #subscribers = new Set<(event: LiveEvent) => void>();
  #timer: NodeJS.Timeout | undefined;
  #sessionsSince: Date;
  #alerts: Map<string, string> | undefined;
  #polling = false;

  constructor(private readonly options: LiveFeedOptions) {
    this.#sessionsSince = options.now();
    options.snapshot.onChange((hosts) => {
      for (const host of hosts) this.#publish({ type: 'host', data: host });
    });
  }

  /** How many clients listen. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#subscribers.add(listener);
    return () => void this.#subscribers.delete(listener);
  }

  /** Starts polling. */
  start(): void {
    this.#timer ??= setInterval(() => void this.poll(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** Stops polling. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One poll: refreshes the snapshot and publishes new session activity. Never rejects. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      await this.options.snapshot.refreshQuietly();
      await this.#pollSessions().catch(this.options.onError);
      await this.#pollAlerts().catch(this.options.onError);
    } finally {
      this.#polling = false;
    }
  }

  async #pollSessions(): Promise<void> {
    const { rows } = await sql<SessionRow>`
      SELECT host_id, session, started_at, ended_at, source, users, failures, invalid_users, accepted, closed
        FROM ssh_sessions WHERE ended_at > ${this.#sessionsSince} ORDER BY ended_at LIMIT 500`.execute(
      this.options.db,
    );
    for (const row of rows) {
      this.#sessionsSince = row.ended_at;
      this.#publish({
        type: 'session',
        data: {
          hostId: row.host_id,
          session: row.session,
          startedAt: row.started_at.toISOString(),
          endedAt: row.ended_at.toISOString(),
          source: row.source,
          users: row.users,
          outcome: sessionOutcome(row),
          closed: row.closed,
        },
      });
    }
  }

  // Active alerts are few: read them all and send what changed, and a `resolved` for those gone.
  async #pollAlerts(): Promise<void> {
    const { rows } = await sql<AlertRow & { version: string }>`
      SELECT series_key, rule_key, host_id, type, label, state, since, fired_at, last_value, last_time, notified_at,
             notifications, updated_at::text AS version
        FROM alerter_alerts`.execute(this.options.db);
    const previous = this.#alerts;
    this.#alerts = new Map(rows.map((r) => [r.series_key, r.version]));
    if (previous === undefined) return;
    for (const row of rows) {
      if (previous.get(row.series_key) !== row.version)
        this.#publish({ type: 'alert', data: alertBody(row) });
    }
    for (const key of previous.keys()) {
      if (!this.#alerts.has(key))
        this.#publish({ type: 'alert', data: { seriesKey: key, state: 'resolved' } });
    }
  }

  #publish(event: LiveEvent): void {
    for (const subscriber of this.#subscribers) subscriber(event);
  }
}
