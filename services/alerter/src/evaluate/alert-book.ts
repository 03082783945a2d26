import type { Insertable, Transaction } from 'kysely';
import type { Database } from '@hostwatch/db';
import { alertMail } from '../notify/alert-mail.js';
import type { QueuedMail } from '../outbox/enqueue-mail.js';
import { mailMessageId } from '../outbox/mail-message-id.js';
import type { AlerterMetrics } from '../ops/alerter-metrics.js';
import type { AlertRule, Silence } from '../rules/rules.js';
import { isSilenced } from '../silence/is-silenced.js';
import { stepAlert, type AlertSeriesState, type Observation } from './alert-step.js';

/** Who an alert belongs to: the rule's client or the fleet element. */
export interface AlertOwner {
  /** As the operator wrote it, for mails: `client ip 10.0.0.5`, `fleet`. */
  readonly description: string;
  readonly mail: readonly string[];
  readonly silences: readonly Silence[];
}

/** A silence made through the API (`alert_silences`) that covers now. */
export interface StoredSilence {
  /** The host it mutes; null mutes every host, fleet alerts included. */
  readonly hostId: string | null;
  /** The alert types it mutes; empty mutes every type. */
  readonly types: readonly string[];
}

/** One observation of a series, with what a mail about it needs. */
export interface SeriesObservation {
  readonly rule: AlertRule;
  readonly owner: AlertOwner;
  readonly hostId: string | undefined;
  readonly hostname?: string | undefined;
  readonly addresses?: readonly string[];
  readonly label: string;
  readonly obs: Observation;
  /** Extra lines for a mail (sources, users, counts), computed only when a mail is queued. */
  readonly details?: () => Promise<readonly string[]>;
}

/** The series key of a rule's series on a host with a label. */
export function seriesKey(rule: AlertRule, hostId: string | undefined, label: string): string {
  return `${rule.key}|${hostId ?? '*'}|${label}`;
}

/** An `alerter_alerts` row as the evaluator reads it (times in milliseconds since the epoch). */
export interface StoredAlertRow {
  readonly series_key: string;
  readonly host_id: string | null;
  readonly state: 'pending' | 'firing';
  readonly since: number;
  readonly fired_at: number | null;
  readonly last_value: number;
  readonly last_time: number;
  readonly notified_at: number | null;
  readonly notifications: number;
}

function toState(row: StoredAlertRow): AlertSeriesState {
  return {
    state: row.state,
    since: row.since,
    firedAt: row.fired_at ?? undefined,
    lastValue: row.last_value,
    lastTime: row.last_time,
    notifiedAt: row.notified_at ?? undefined,
    notifications: row.notifications,
  };
}

type AlertRow = Insertable<Database['alerter_alerts']> & { series_key: string };

// Rows per multi-row statement: well below PostgreSQL's 65,535 bind parameters.
const CHUNK = 2_000;

/**
 * Alert state inside one transaction: reads each series' row, steps it, and remembers what changed
 * and which mail it causes; {@link flush} then writes the changed rows (deleting inactive ones) and
 * the mail in a few set-based statements of the same transaction, so the state change and its mail
 * commit together or not at all.
 */
export class AlertBook {
  #queued = 0;
  readonly #states = new Map<string, AlertSeriesState | undefined>();
  readonly #loadedHosts = new Set<string>();
  // Hosts with a series that is (or was, in this book) pending or firing: only they can change below the limit.
  readonly #activeHosts = new Set<string>();
  readonly #changed = new Map<string, AlertRow | undefined>();
  #mails: QueuedMail[] = [];

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly rulesFile: string,
    private readonly now: number,
    private readonly metrics: AlerterMetrics | undefined,
    private readonly storedSilences: readonly StoredSilence[] = [],
  ) {}

  /** How many mails this book queued. */
  get queued(): number {
    return this.#queued;
  }

  /** Reads the state of every series of `hostIds` in one query, so observing them needs no further reads. */
  async preload(hostIds: readonly string[]): Promise<void> {
    const missing = hostIds.filter((h) => !this.#loadedHosts.has(h));
    if (missing.length === 0) return;
    const rows = await this.trx.selectFrom('alerter_alerts').selectAll().where('host_id', 'in', missing).execute();
    this.seed(
      missing,
      rows.map((r) => ({ ...r, since: r.since.getTime(), fired_at: r.fired_at?.getTime() ?? null, last_time: r.last_time.getTime(), notified_at: r.notified_at?.getTime() ?? null })),
    );
  }

  /** Takes the state rows of every series of `hostIds`, read by the caller together with other data. */
  seed(hostIds: readonly string[], rows: readonly StoredAlertRow[]): void {
    for (const h of hostIds) this.#loadedHosts.add(h);
    // A series already read or stepped in this book is newer than what the caller read.
    for (const row of rows) {
      if (row.host_id !== null) this.#activeHosts.add(row.host_id);
      if (!this.#states.has(row.series_key)) this.#states.set(row.series_key, toState(row));
    }
  }

  /** Whether observing `value` on host `hostId` against `limit` surely changes nothing: the host's series were read, none is active, and the value is below the limit. */
  isQuiet(hostId: string, value: number, limit: number): boolean {
    return value < limit && this.#loadedHosts.has(hostId) && !this.#activeHosts.has(hostId);
  }

  /** The current state of a series, or undefined when it is inactive. */
  async state(key: string, hostId?: string): Promise<AlertSeriesState | undefined> {
    if (this.#states.has(key) || (hostId !== undefined && this.#loadedHosts.has(hostId))) return this.#states.get(key);
    const row = await this.trx.selectFrom('alerter_alerts').selectAll().where('series_key', '=', key).executeTakeFirst();
    const state = row
      ? toState({ ...row, since: row.since.getTime(), fired_at: row.fired_at?.getTime() ?? null, last_time: row.last_time.getTime(), notified_at: row.notified_at?.getTime() ?? null })
      : undefined;
    this.#states.set(key, state);
    return state;
  }

  /** Steps the series by one observation and records the outcome; resolves to the notification queued, if any. */
  async observe(o: SeriesObservation): Promise<string | undefined> {
    const key = seriesKey(o.rule, o.hostId, o.label);
    const prev = await this.state(key, o.hostId);
    if (!prev && o.obs.value < o.rule.limit) return undefined;
    const silenced =
      isSilenced(o.owner.silences, o.rule.type, this.now) ||
      this.storedSilences.some((s) => (s.hostId === null || s.hostId === o.hostId) && (s.types.length === 0 || s.types.includes(o.rule.type)));
    const { next, notify } = stepAlert(prev, o.obs, o.rule, silenced);
    if (next === prev) return undefined;
    this.#states.set(key, next);
    if (o.hostId !== undefined) this.#activeHosts.add(o.hostId);
    this.#changed.set(
      key,
      next && {
        series_key: key,
        rule_key: o.rule.key,
        host_id: o.hostId ?? null,
        type: o.rule.type,
        label: o.label || null,
        state: next.state,
        since: new Date(next.since),
        fired_at: next.firedAt === undefined ? null : new Date(next.firedAt),
        last_value: next.lastValue,
        last_time: new Date(next.lastTime),
        notified_at: next.notifiedAt === undefined ? null : new Date(next.notifiedAt),
        notifications: next.notifications,
        updated_at: new Date(this.now),
      },
    );
    if (!notify || o.owner.mail.length === 0) return notify;
    const since = (next ?? prev)?.since ?? o.obs.time;
    const { subject, body } = alertMail({
      transition: notify,
      rule: o.rule,
      rulesFile: this.rulesFile,
      hostId: o.hostId,
      hostname: o.hostname,
      addresses: o.addresses ?? [],
      label: o.label,
      value: o.obs.value,
      since,
      at: o.obs.time,
      owner: o.owner.description,
      details: notify === 'resolved' || !o.details ? [] : await o.details(),
    });
    const sequence = notify === 'resolved' ? 'resolved' : String(next?.notifications ?? 0);
    this.#mails.push({
      messageId: mailMessageId('alert', key, new Date(since).toISOString(), sequence),
      kind: 'alert',
      recipients: o.owner.mail,
      subject,
      body,
      at: this.now,
    });
    this.#queued += 1;
    this.metrics?.notifications.inc({ type: o.rule.type, transition: notify });
    return notify;
  }

  /** Writes every changed series and queued mail of this book so far; the caller's transaction commits them together. */
  async flush(): Promise<void> {
    const changed = [...this.#changed];
    const mails = this.#mails;
    this.#changed.clear();
    this.#mails = [];
    const gone = changed.filter(([, row]) => row === undefined).map(([key]) => key);
    const rows = changed.flatMap(([, row]) => (row ? [row] : []));
    for (let i = 0; i < gone.length; i += CHUNK) {
      await this.trx.deleteFrom('alerter_alerts').where('series_key', 'in', gone.slice(i, i + CHUNK)).execute();
    }
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.trx
        .insertInto('alerter_alerts')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc.column('series_key').doUpdateSet((eb) => ({
            rule_key: eb.ref('excluded.rule_key'),
            host_id: eb.ref('excluded.host_id'),
            type: eb.ref('excluded.type'),
            label: eb.ref('excluded.label'),
            state: eb.ref('excluded.state'),
            since: eb.ref('excluded.since'),
            fired_at: eb.ref('excluded.fired_at'),
            last_value: eb.ref('excluded.last_value'),
            last_time: eb.ref('excluded.last_time'),
            notified_at: eb.ref('excluded.notified_at'),
            notifications: eb.ref('excluded.notifications'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
    for (let i = 0; i < mails.length; i += CHUNK) {
      await this.trx
        .insertInto('alerter_outbox')
        .values(
          mails.slice(i, i + CHUNK).map((m) => ({
            message_id: m.messageId,
            kind: m.kind,
            recipients: [...m.recipients],
            subject: m.subject,
            body: m.body,
            ...(m.at === undefined ? {} : { created_at: new Date(m.at), next_attempt_at: new Date(m.at) }),
          })),
        )
        .onConflict((oc) => oc.column('message_id').doNothing())
        .execute();
    }
  }
}
