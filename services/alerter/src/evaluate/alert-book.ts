import type { Insertable, Transaction } from 'kysely';
import type { Database } from '@hostwatch/db';
import { alertMail } from '../notify/alert-mail.js';
import { enqueueMail } from '../outbox/enqueue-mail.js';
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

function toState(row: { state: 'pending' | 'firing'; since: Date; fired_at: Date | null; last_value: number; last_time: Date; notified_at: Date | null; notifications: number }): AlertSeriesState {
  return {
    state: row.state,
    since: row.since.getTime(),
    firedAt: row.fired_at?.getTime(),
    lastValue: row.last_value,
    lastTime: row.last_time.getTime(),
    notifiedAt: row.notified_at?.getTime(),
    notifications: row.notifications,
  };
}

/**
 * Alert state inside one transaction: reads each series' row, steps it, writes it back (or deletes
 * it when inactive) and queues the mail in the outbox, so the state change and its mail commit
 * together or not at all.
 */
export class AlertBook {
  #queued = 0;
  readonly #states = new Map<string, AlertSeriesState | undefined>();
  readonly #loadedHosts = new Set<string>();

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
    for (const row of rows) this.#states.set(row.series_key, toState(row));
    for (const h of missing) this.#loadedHosts.add(h);
  }

  /** The current state of a series, or undefined when it is inactive. */
  async state(key: string, hostId?: string): Promise<AlertSeriesState | undefined> {
    if (this.#states.has(key) || (hostId !== undefined && this.#loadedHosts.has(hostId))) return this.#states.get(key);
    const row = await this.trx.selectFrom('alerter_alerts').selectAll().where('series_key', '=', key).executeTakeFirst();
    const state = row ? toState(row) : undefined;
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
    if (!next) {
      await this.trx.deleteFrom('alerter_alerts').where('series_key', '=', key).execute();
    } else {
      const row: Insertable<Database['alerter_alerts']> & { series_key: string } = {
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
      };
      const { series_key: _key, ...changes } = row;
      await this.trx.insertInto('alerter_alerts').values(row).onConflict((oc) => oc.column('series_key').doUpdateSet(changes)).execute();
    }
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
    await enqueueMail(this.trx, {
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
}
