import { sql, type Kysely, type Transaction } from 'kysely';
import type { HostMessage, SecurityEvent, SshEvent } from '@hostwatch/contract';
import type { Database } from '@hostwatch/db';
import type { Clock } from '../clock.js';
import type { AlerterLog } from '../log.js';
import { securityMail, type SecurityMailEvent } from '../notify/security-mail.js';
import type { AlerterMetrics } from '../ops/alerter-metrics.js';
import { enqueueMail } from '../outbox/enqueue-mail.js';
import { mailMessageId } from '../outbox/mail-message-id.js';
import { clientsForHost, recipientsForHost } from '../rules/clients-for-host.js';
import type { AlertRule, Client, Rules } from '../rules/rules.js';
import { AlertBook, type AlertOwner, type StoredAlertRow, type StoredSilence } from './alert-book.js';
import { sampledStats, statsObservations, type SampledStats } from './stats-observations.js';
import { decodeWaitingSamples, encodeWaitingSamples, ruleSampleOfText, sampleNames, type PositionalSample, type WaitingSample } from './waiting-samples.js';

/** A message that opened and validated, as the evaluator takes it; a stats message whole or reduced to {@link SampledStats}. */
export interface HostMessageItem {
  readonly hostId: string;
  readonly messageId: string;
  readonly message: HostMessage | SampledStats;
}

/** Options of {@link Evaluator}. */
export interface EvaluatorOptions {
  readonly db: Kysely<Database>;
  /** The rules in use right now (they change on reload). */
  readonly rules: () => Rules;
  readonly clock: Clock;
  readonly log: AlerterLog;
  readonly metrics?: AlerterMetrics;
  /** How late a stats sample may arrive and still be evaluated in event-time order (default 10 s). */
  readonly latenessMs?: number;
  /** Security events of one host arriving within this share a mail; 0 mails each event alone (default 60 s). */
  readonly digestWindowMs?: number;
  /** How long security events of a host no client matches yet wait for its first stats (default 10 min). */
  readonly unroutedHoldMs?: number;
  /** How long ssh events are kept for windowed rules (default 1 day). */
  readonly sshRetentionMs?: number;
  /** Called after a transaction that queued mail committed. */
  readonly onMailQueued?: () => void;
}

const THRESHOLD_TYPES = new Set(['memory', 'cpu', 'swap', 'disk', 'load']);
const WINDOWED_TYPES = ['ssh-failures', 'login-after-failures', 'brute-force'] as const;
// One evaluation at a time across replicas: state and mail of a series change in one place.
const EVALUATION_LOCK = 0x686f7374_77617463n % 0x7fffffffffffffffn;

// Rows per multi-row insert: well below PostgreSQL's 65,535 bind parameters.
const ROWS_PER_STATEMENT = 5_000;

/** A stats sample of the batch in hand. */
interface FreshSample {
  readonly messageId: string;
  readonly time: number;
  /** Its {@link sampleText}, parsed only once it is due. */
  readonly sample: string;
}

/** What the batch reads of a host: progress and waiting samples, name and addresses (times in milliseconds since the epoch). */
type StoredHost = [hostId: string, lastStatsTime: number | null, appliedUntil: number | null, waiting: string, hostname: string | null, addresses: string[] | null];

/** What the batch writes of a host's progress; short keys, since the statement carries one per host. */
interface ProgressRow {
  readonly h: string;
  /** Last stats time, applied until, waiting since: milliseconds since the epoch (cheaper than timestamp text on both sides). */
  readonly t: number | null;
  readonly a: number | null;
  readonly w: string;
  readonly s: number | null;
}

/** A host's name and addresses as its newest sample gives them, written when they changed. */
interface NameRow {
  readonly host_id: string;
  readonly hostname: string;
  readonly addresses: readonly string[];
}

/** A security event to queue for its host's mail. */
interface SecurityRow {
  readonly hostId: string;
  readonly kind: 'ssh' | 'event';
  readonly event: SshEvent | SecurityEvent;
}

interface NewSshEvent {
  readonly time: number;
  readonly event: string;
  readonly source: string | undefined;
  readonly user: string | undefined;
  readonly method: string | undefined;
}

function sameList(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function ownerOf(client: Client): AlertOwner {
  const parts = [client.name ? `"${client.name}"` : '', client.host ? `host ${client.host}` : '', client.ip ? `ip ${client.ip}` : ''].filter(Boolean);
  return { description: `client ${parts.join(' ')}`, mail: client.mail, silences: client.silences };
}

/**
 * Turns stream messages into alert state, alert mail and security mail, each batch in one
 * transaction that also queues the mail it causes: stats samples wait out the allowed lateness
 * and are evaluated in event-time order; ssh events drive the windowed rules and are queued for
 * the host's security mail. A periodic {@link tick} evaluates what time alone changes: samples
 * whose lateness passed, offline hosts, windows that emptied, and due security digests.
 */
export class Evaluator {
  readonly #o: EvaluatorOptions;
  readonly #latenessMs: number;
  readonly #digestWindowMs: number;
  #rulesSeen: Rules | undefined;
  #lastCleanup = Number.NEGATIVE_INFINITY;

  constructor(options: EvaluatorOptions) {
    this.#o = options;
    this.#latenessMs = options.latenessMs ?? 10_000;
    this.#digestWindowMs = options.digestWindowMs ?? 60_000;
  }

  /** Records and evaluates a batch of messages in one transaction; once it resolves, their effects are committed. */
  async handle(items: readonly HostMessageItem[]): Promise<void> {
    if (items.length === 0) return;
    const queued = await this.#o.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${EVALUATION_LOCK})`.execute(trx);
      const now = this.#o.clock();
      const rules = this.#o.rules();
      const book = new AlertBook(trx, rules.file, now, this.#o.metrics, await this.#storedSilences(trx, now));
      const stats = new Map<string, FreshSample[]>();
      const ssh: { hostId: string; events: readonly SshEvent[] }[] = [];
      const security: SecurityRow[] = [];
      for (const { hostId, messageId, message } of items) {
        if (message.kind === 'stats') {
          const list = stats.get(hostId);
          const { time, sample: text } = 'sample' in message ? message : sampledStats(message);
          const sample = { messageId, time, sample: text };
          if (list) list.push(sample);
          else stats.set(hostId, [sample]);
        } else if (message.kind === 'ssh') {
          ssh.push({ hostId, events: message.events });
        } else {
          for (const e of message.events) security.push({ hostId, kind: 'event', event: e });
        }
      }
      const sshHosts = await this.#recordSsh(trx, ssh);
      // A `count: 0` event is PAM's echo of an attempt sshd reports in its own line: mailed with that line, not again.
      for (const [hostId, events] of sshHosts) {
        for (const e of events) if (e.count > 0) security.push({ hostId, kind: 'ssh', event: e });
      }
      await this.#queueSecurity(trx, security, now);
      await this.#evaluateStats(trx, book, rules, stats, [], now);
      for (const [hostId, events] of sshHosts) {
        if (events.length === 0) continue;
        const fresh = events.map((e) => ({ time: Date.parse(e.time), event: e.event, source: e.source, user: e.user, method: e.method }));
        await this.#evaluateSsh(trx, book, rules, hostId, fresh);
      }
      await book.flush();
      const securityHosts = [...new Set(security.map((r) => r.hostId))];
      const mailed = this.#digestWindowMs === 0 && securityHosts.length > 0 ? await this.#mailSecurity(trx, rules, now, securityHosts) : 0;
      return book.queued + mailed > 0;
    });
    if (queued) this.#o.onMailQueued?.();
  }

  /** Evaluates what the passing of time changes; safe to run on every replica at any rate. */
  async tick(): Promise<void> {
    const queued = await this.#o.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${EVALUATION_LOCK})`.execute(trx);
      const now = this.#o.clock();
      const rules = this.#o.rules();
      const book = new AlertBook(trx, rules.file, now, this.#o.metrics, await this.#storedSilences(trx, now));

      const waiting = await trx
        .selectFrom('alerter_host_progress')
        .select('host_id')
        .where('waiting_since', '<=', new Date(now - this.#latenessMs))
        .execute();
      await this.#evaluateStats(trx, book, rules, new Map(), waiting.map((w) => w.host_id), now);
      await book.flush();

      if (rules !== this.#rulesSeen) {
        await this.#forgetRemovedRules(trx, rules);
        this.#rulesSeen = rules;
      }
      await this.#evaluateOffline(trx, book, rules, now);
      await book.flush();
      await this.#evaluateWindows(trx, book, rules, now);
      await book.flush();
      const mailed = await this.#mailSecurity(trx, rules, now, undefined);

      // Housekeeping once a minute is plenty: rows live for a day.
      if (now - this.#lastCleanup >= 60_000) {
        await trx.deleteFrom('alerter_ssh_events').where('time', '<', new Date(now - (this.#o.sshRetentionMs ?? 86_400_000))).execute();
        await trx.deleteFrom('alerter_security_queue').where('mailed_at', '<', new Date(now - 86_400_000)).execute();
        this.#lastCleanup = now;
      }
      return book.queued + mailed > 0;
    });
    if (queued) this.#o.onMailQueued?.();
  }

  /**
   * Evaluates the stats of a batch (`fresh`, by host) together with the samples waiting from earlier
   * for those hosts and for `waitingHosts`, in two statements whatever the batch size: one reads the
   * hosts' progress (with their waiting samples), names and alert state; one writes each host's
   * progress row, and name and addresses where they changed. Every sample whose lateness passed (the
   * host's newest sample is `lateness` past it, or it waited that long on the clock) is evaluated in
   * event-time order; a fresh sample at or before the host's evaluated time is late.
   */
  async #evaluateStats(trx: Transaction<Database>, book: AlertBook, rules: Rules, fresh: ReadonlyMap<string, readonly FreshSample[]>, waitingHosts: readonly string[], now: number): Promise<void> {
    const hostIds = [...new Set([...fresh.keys(), ...waitingHosts])].sort();
    if (hostIds.length === 0) return;
    const read = await sql<{ hosts: StoredHost[]; alerts: StoredAlertRow[] }>`
      SELECT
        (SELECT coalesce(json_agg(json_build_array(p.host_id, round(extract(epoch FROM p.last_stats_time) * 1000), round(extract(epoch FROM p.applied_until) * 1000), p.waiting, h.hostname, h.addresses)), '[]')
           FROM alerter_host_progress p LEFT JOIN alerter_hosts h ON h.host_id = p.host_id WHERE p.host_id = ANY(${hostIds}::text[])) AS hosts,
        (SELECT coalesce(json_agg(json_build_object(
            'series_key', series_key, 'host_id', host_id, 'state', state, 'since', round(extract(epoch FROM since) * 1000),
            'fired_at', round(extract(epoch FROM fired_at) * 1000), 'last_value', last_value,
            'last_time', round(extract(epoch FROM last_time) * 1000), 'notified_at', round(extract(epoch FROM notified_at) * 1000),
            'notifications', notifications)), '[]')
           FROM alerter_alerts WHERE host_id = ANY(${hostIds}::text[])) AS alerts`.execute(trx);
    const { hosts, alerts } = read.rows[0] ?? { hosts: [], alerts: [] };
    book.seed(hostIds, alerts);
    const stored = new Map<string, StoredHost>();
    for (const row of hosts) stored.set(row[0], row);

    const progress: ProgressRow[] = [];
    const names: NameRow[] = [];
    const due: { hostId: string; s: WaitingSample }[] = [];
    const cutoff = now - this.#latenessMs;
    for (const hostId of hostIds) {
      const incoming = fresh.get(hostId);
      const known = stored.get(hostId);
      const lastStatsTime = known?.[1] ?? undefined;
      const until = known?.[2] ?? undefined;
      const pool = known === undefined ? [] : decodeWaitingSamples(known[3]);
      let changed = false;
      let newest: FreshSample | undefined;
      for (const f of incoming ?? []) {
        if (!newest || f.time >= newest.time) newest = f;
        if (until !== undefined && f.time <= until) {
          this.#o.metrics?.lateSamples.inc();
          this.#o.log.debug({ hostId, messageId: f.messageId, time: new Date(f.time), appliedUntil: new Date(until) }, 'stats sample arrived after its time was evaluated; not evaluated');
          continue;
        }
        // A redelivered message that still waits is the same sample.
        if (pool.some((s) => s.messageId === f.messageId)) continue;
        pool.push({ messageId: f.messageId, time: f.time, receivedAt: now, sample: f.sample });
        changed = true;
      }
      let dueUntil = until;
      let waitingSince: number | null = null;
      const waiting: WaitingSample[] = [];
      if (pool.length > 0) {
        let newestTime = Number.NEGATIVE_INFINITY;
        for (const s of pool) if (s.time > newestTime) newestTime = s.time;
        for (const s of pool) {
          if (s.time <= newestTime - this.#latenessMs || s.receivedAt <= cutoff) {
            due.push({ hostId, s });
            dueUntil = dueUntil === undefined || s.time > dueUntil ? s.time : dueUntil;
            changed = true;
          } else {
            waiting.push(s);
            if (waitingSince === null || s.receivedAt < waitingSince) waitingSince = s.receivedAt;
          }
        }
      }
      const newLast = newest && (lastStatsTime === undefined || newest.time > lastStatsTime) ? newest.time : lastStatsTime;
      if (changed || newLast !== lastStatsTime) {
        progress.push({ h: hostId, t: newLast ?? null, a: dueUntil ?? null, w: encodeWaitingSamples(waiting), s: waitingSince });
      }
      // Name and addresses follow the newest sample, and are written only when they changed: the
      // sample is parsed for them only then.
      if (newest && (lastStatsTime === undefined || newest.time >= lastStatsTime) && !sampleNames(newest.sample, known?.[4], known?.[5])) {
        const [hostname, addresses] = JSON.parse(newest.sample) as PositionalSample;
        if (known?.[4] !== hostname || !sameList(known[5], addresses)) names.push({ host_id: hostId, hostname, addresses });
      }
    }

    due.sort((x, y) => (x.hostId < y.hostId ? -1 : x.hostId > y.hostId ? 1 : 0) || x.s.time - y.s.time || (x.s.messageId < y.s.messageId ? -1 : x.s.messageId > y.s.messageId ? 1 : 0));
    // Indexed loops: a for-of loop with an await in its body keeps its iterator across the await, and
    // then allocates a result object at every step (about 0.8 KB a message here, all garbage).
    for (let d = 0; d < due.length; d++) {
      const { hostId, s } = due[d]!;
      const sample = ruleSampleOfText(s.sample);
      const clients = clientsForHost(rules, hostId, sample.addresses);
      for (let c = 0; c < clients.length; c++) {
        const client = clients[c]!;
        let owner: AlertOwner | undefined;
        for (let r = 0; r < client.alerts.length; r++) {
          const rule = client.alerts[r]!;
          if (!THRESHOLD_TYPES.has(rule.type)) continue;
          const observations = statsObservations(rule, sample);
          for (let o = 0; o < observations.length; o++) {
            const { label, value } = observations[o]!;
            if (book.isQuiet(hostId, value, rule.limit)) continue;
            owner ??= ownerOf(client);
            await book.observe({ rule, owner, hostId, hostname: sample.hostname, addresses: sample.addresses, label, obs: { value, time: s.time } });
          }
        }
      }
    }

    if (progress.length === 0 && names.length === 0) return;
    await sql`
      WITH p AS (
        INSERT INTO alerter_host_progress (host_id, last_stats_time, applied_until, waiting, waiting_since)
        SELECT h, to_timestamp(t / 1000.0), to_timestamp(a / 1000.0), w, to_timestamp(s / 1000.0)
          FROM json_to_recordset(${JSON.stringify(progress)}::json) AS r(h text, t double precision, a double precision, w text, s double precision)
        ON CONFLICT (host_id) DO UPDATE SET
          last_stats_time = excluded.last_stats_time, applied_until = excluded.applied_until, waiting = excluded.waiting, waiting_since = excluded.waiting_since
        RETURNING 1),
      n AS (
        INSERT INTO alerter_hosts (host_id, hostname, addresses, updated_at)
        SELECT host_id, hostname, addresses, ${new Date(now)}
          FROM json_to_recordset(${JSON.stringify(names)}::json) AS r(host_id text, hostname text, addresses text[])
        ON CONFLICT (host_id) DO UPDATE SET hostname = excluded.hostname, addresses = excluded.addresses, updated_at = excluded.updated_at
        RETURNING 1)
      SELECT (SELECT count(*) FROM p) AS progress, (SELECT count(*) FROM n) AS hosts`.execute(trx);
  }

  /** Records the ssh events of a batch in one statement; resolves to the events of each host not recorded before, in arrival order. */
  async #recordSsh(trx: Transaction<Database>, messages: readonly { hostId: string; events: readonly SshEvent[] }[]): Promise<Map<string, SshEvent[]>> {
    const added = new Map<string, SshEvent[]>();
    const rows = messages.flatMap(({ hostId, events }) =>
      events.map((e) => ({ host_id: hostId, event_id: e.id, time: new Date(e.time), event: e.event, source: e.source ?? null, user: e.user ?? null, count: e.count })),
    );
    if (rows.length === 0) return added;
    const fresh = new Set<string>();
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const inserted = await trx
        .insertInto('alerter_ssh_events')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.columns(['host_id', 'event_id']).doNothing())
        .returning(['host_id', 'event_id'])
        .execute();
      for (const r of inserted) fresh.add(`${r.host_id}\0${r.event_id}`);
    }
    for (const { hostId, events } of messages) {
      for (const e of events) {
        const id = `${hostId}\0${e.id}`;
        if (!fresh.delete(id)) continue;
        const list = added.get(hostId);
        if (list) list.push(e);
        else added.set(hostId, [e]);
      }
    }
    return added;
  }

  /** Queues security events for their host's mail in one statement per few thousand events; an event already queued stays as it is. */
  async #queueSecurity(trx: Transaction<Database>, events: readonly SecurityRow[], now: number): Promise<void> {
    const rows = events.map(({ hostId, kind, event: { id, ...data } }) => ({ host_id: hostId, kind, event_id: id, time: new Date(data.time), data: JSON.stringify(data), received_at: new Date(now) }));
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await trx
        .insertInto('alerter_security_queue')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.columns(['host_id', 'kind', 'event_id']).doNothing())
        .execute();
    }
  }

  async #storedSilences(trx: Transaction<Database>, now: number): Promise<StoredSilence[]> {
    const rows = await trx
      .selectFrom('alert_silences')
      .select(['host_id', 'types'])
      .where('starts_at', '<=', new Date(now))
      .where('ends_at', '>', new Date(now))
      .execute();
    return rows.map((r) => ({ hostId: r.host_id, types: r.types }));
  }

  async #host(trx: Transaction<Database>, hostId: string): Promise<{ hostname: string | undefined; addresses: string[] }> {
    const row = await trx.selectFrom('alerter_hosts').select(['hostname', 'addresses']).where('host_id', '=', hostId).executeTakeFirst();
    return { hostname: row?.hostname ?? undefined, addresses: row?.addresses ?? [] };
  }

  async #failures(trx: Transaction<Database>, hostId: string | undefined, source: string | undefined, from: number, to: number, includeEnd = true): Promise<number> {
    let q = trx
      .selectFrom('alerter_ssh_events')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('count'), eb.lit(0)).as('n'))
      .where('event', '=', 'failed')
      .where('time', '>', new Date(from))
      .where('time', includeEnd ? '<=' : '<', new Date(to));
    if (hostId !== undefined) q = q.where('host_id', '=', hostId);
    if (source !== undefined) q = q.where('source', '=', source);
    const row = await q.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async #failureDetails(trx: Transaction<Database>, hostId: string | undefined, source: string | undefined, from: number, to: number): Promise<string[]> {
    let q = trx
      .selectFrom('alerter_ssh_events')
      .select(['host_id', 'source', 'user', (eb) => eb.fn.sum<number>('count').as('n')])
      .where('event', '=', 'failed')
      .where('time', '>', new Date(from))
      .where('time', '<=', new Date(to))
      .groupBy(['host_id', 'source', 'user'])
      .orderBy('n', 'desc')
      .limit(20);
    if (hostId !== undefined) q = q.where('host_id', '=', hostId);
    if (source !== undefined) q = q.where('source', '=', source);
    const rows = await q.execute();
    return [
      `Failed ssh attempts from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} (host, source, user, count):`,
      ...rows.map((r) => `  ${r.host_id}  ${r.source ?? '(unknown source)'}  ${r.user ?? '(unknown user)'}  ${Number(r.n)}`),
    ];
  }

  async #evaluateSsh(trx: Transaction<Database>, book: AlertBook, rules: Rules, hostId: string, events: readonly NewSshEvent[]): Promise<void> {
    const { hostname, addresses } = await this.#host(trx, hostId);
    const failed = events.filter((e) => e.event === 'failed');
    const latestBySource = new Map<string, number>();
    for (const e of failed) if (e.source) latestBySource.set(e.source, Math.max(latestBySource.get(e.source) ?? 0, e.time));
    const latest = failed.reduce((t, e) => Math.max(t, e.time), 0);
    for (const client of clientsForHost(rules, hostId, addresses)) {
      const owner = ownerOf(client);
      const base = { owner, hostId, hostname, addresses };
      for (const rule of client.alerts) {
        if (rule.type === 'ssh-failures' && failed.length > 0) {
          const targets: [string | undefined, number][] = rule.per === 'source' ? [...latestBySource] : [[undefined, latest]];
          for (const [source, t] of targets) {
            const value = await this.#failures(trx, hostId, source, t - rule.windowMs, t);
            await book.observe({ ...base, rule, label: source ?? '', obs: { value, time: t }, details: () => this.#failureDetails(trx, hostId, source, t - rule.windowMs, t) });
          }
        } else if (rule.type === 'login-after-failures') {
          for (const login of events) {
            if (login.event !== 'accepted' || !login.source) continue;
            const value = await this.#failures(trx, hostId, login.source, login.time - rule.windowMs, login.time, false);
            if (value < rule.limit) continue;
            const details = async (): Promise<string[]> => [
              `Login accepted at ${new Date(login.time).toISOString()} for user ${login.user ?? '(unknown)'} from ${login.source}${login.method ? ` by ${login.method}` : ''},`,
              `after ${value} failed attempts from that source within ${Math.round(rule.windowMs / 60_000)} minutes: a likely compromise.`,
              '',
              ...(await this.#failureDetails(trx, hostId, login.source, login.time - rule.windowMs, login.time)),
            ];
            await book.observe({ ...base, rule, label: login.source, obs: { value, time: login.time }, details });
          }
        }
      }
    }
    if (!rules.fleet) return;
    const fleetOwner: AlertOwner = { description: 'fleet', mail: rules.fleet.mail, silences: rules.fleet.silences };
    for (const rule of rules.fleet.alerts) {
      for (const [source, t] of latestBySource) {
        const value = await this.#sourceHosts(trx, source, t - rule.windowMs, t);
        await book.observe({ rule, owner: fleetOwner, hostId: undefined, label: source, obs: { value, time: t }, details: () => this.#failureDetails(trx, undefined, source, t - rule.windowMs, t) });
      }
    }
  }

  async #sourceHosts(trx: Transaction<Database>, source: string, from: number, to: number): Promise<number> {
    const row = await trx
      .selectFrom('alerter_ssh_events')
      .select((eb) => eb.fn.count<number>('host_id').distinct().as('n'))
      .where('event', '=', 'failed')
      .where('source', '=', source)
      .where('time', '>', new Date(from))
      .where('time', '<=', new Date(to))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  #ruleIndex(rules: Rules): Map<string, { rule: AlertRule; owner: AlertOwner }> {
    const index = new Map<string, { rule: AlertRule; owner: AlertOwner }>();
    for (const client of rules.clients) for (const rule of client.alerts) index.set(rule.key, { rule, owner: ownerOf(client) });
    if (rules.fleet) {
      const owner: AlertOwner = { description: 'fleet', mail: rules.fleet.mail, silences: rules.fleet.silences };
      for (const rule of rules.fleet.alerts) index.set(rule.key, { rule, owner });
    }
    return index;
  }

  async #forgetRemovedRules(trx: Transaction<Database>, rules: Rules): Promise<void> {
    const keys = [...this.#ruleIndex(rules).keys()];
    let q = trx.deleteFrom('alerter_alerts');
    if (keys.length > 0) q = q.where('rule_key', 'not in', keys);
    await q.execute();
  }

  async #evaluateOffline(trx: Transaction<Database>, book: AlertBook, rules: Rules, now: number): Promise<void> {
    if (!rules.clients.some((c) => c.alerts.some((a) => a.type === 'offline'))) return;
    const hosts = await trx
      .selectFrom('alerter_host_progress as p')
      .leftJoin('alerter_hosts as h', 'h.host_id', 'p.host_id')
      .select(['p.host_id', 'h.hostname', 'h.addresses', 'p.last_stats_time'])
      .where('p.last_stats_time', 'is not', null)
      .execute();
    for (const host of hosts) {
      const last = host.last_stats_time?.getTime();
      if (last === undefined) continue;
      const addresses = host.addresses ?? [];
      for (const client of clientsForHost(rules, host.host_id, addresses)) {
        for (const rule of client.alerts) {
          if (rule.type !== 'offline') continue;
          const details = async (): Promise<string[]> => [`Last stats sample: ${new Date(last).toISOString()}`];
          await book.observe({ rule, owner: ownerOf(client), hostId: host.host_id, hostname: host.hostname ?? undefined, addresses, label: '', obs: { value: Math.max(0, now - last), time: now }, details });
        }
      }
    }
  }

  async #evaluateWindows(trx: Transaction<Database>, book: AlertBook, rules: Rules, now: number): Promise<void> {
    const open = await trx.selectFrom('alerter_alerts').selectAll().where('type', 'in', [...WINDOWED_TYPES]).execute();
    if (open.length === 0) return;
    const index = this.#ruleIndex(rules);
    for (const row of open) {
      const found = index.get(row.rule_key);
      if (!found) continue;
      const { rule, owner } = found;
      const label = row.label ?? '';
      const hostId = row.host_id ?? undefined;
      let value: number;
      if (rule.type === 'ssh-failures') value = await this.#failures(trx, hostId, rule.per === 'source' ? label : undefined, now - rule.windowMs, now);
      else if (rule.type === 'brute-force') value = await this.#sourceHosts(trx, label, now - rule.windowMs, now);
      else if (now - row.last_time.getTime() >= rule.windowMs) value = 0;
      else continue;
      const host = hostId === undefined ? { hostname: undefined, addresses: [] } : await this.#host(trx, hostId);
      await book.observe({ rule, owner, hostId, ...host, label, obs: { value, time: now } });
    }
  }

  async #mailSecurity(trx: Transaction<Database>, rules: Rules, now: number, only: readonly string[] | undefined): Promise<number> {
    let mails = 0;
    let q = trx
      .selectFrom('alerter_security_queue')
      .select('host_id')
      .where('mailed_at', 'is', null)
      .groupBy('host_id')
      .having((eb) => eb.fn.min('received_at'), '<=', new Date(now - this.#digestWindowMs));
    if (only) q = q.where('host_id', 'in', only);
    const hosts = await q.execute();
    for (const { host_id: hostId } of hosts) {
      const rows = await trx
        .selectFrom('alerter_security_queue')
        .select(['kind', 'event_id', 'time', 'data', 'received_at'])
        .where('host_id', '=', hostId)
        .where('mailed_at', 'is', null)
        .orderBy('time')
        .orderBy('kind')
        .orderBy('event_id')
        .execute();
      const { hostname, addresses } = await this.#host(trx, hostId);
      const recipients = recipientsForHost(rules, hostId, addresses);
      const mark = async (chunk: typeof rows, messageId: string | null): Promise<void> => {
        for (const kind of ['ssh', 'event'] as const) {
          const ids = chunk.filter((r) => r.kind === kind).map((r) => r.event_id);
          if (ids.length === 0) continue;
          await trx
            .updateTable('alerter_security_queue')
            .set({ mailed_at: new Date(now), message_id: messageId })
            .where('host_id', '=', hostId)
            .where('kind', '=', kind)
            .where('event_id', 'in', ids)
            .execute();
        }
      };
      if (recipients.length === 0) {
        const oldest = Math.min(...rows.map((r) => r.received_at.getTime()));
        if (addresses.length === 0 && now - oldest < (this.#o.unroutedHoldMs ?? 600_000)) continue;
        this.#o.log.info({ hostId, events: rows.length }, 'no client of the rules matches this host; its security events are not mailed');
        await mark(rows, null);
        continue;
      }
      const size = this.#digestWindowMs === 0 ? 1 : 200;
      for (let i = 0; i < rows.length; i += size) {
        const chunk = rows.slice(i, i + size);
        const events: SecurityMailEvent[] = chunk.map((r) => ({ kind: r.kind, time: r.time.toISOString(), data: r.data as Record<string, unknown> }));
        const { subject, body } = securityMail(hostId, hostname, addresses, events);
        const messageId = mailMessageId('security', hostId, ...chunk.map((r) => `${r.kind}:${r.event_id}`));
        if (await enqueueMail(trx, { messageId, kind: 'security', recipients, subject, body, at: now })) mails += 1;
        await mark(chunk, messageId);
        this.#o.metrics?.securityEventsMailed.inc(chunk.length);
      }
    }
    return mails;
  }
}
