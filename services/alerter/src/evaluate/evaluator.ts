import { sql, type Kysely, type Transaction } from 'kysely';
import type { HostMessage, SecurityEvent, SshEvent, StatsMessageV1 } from '@hostwatch/contract';
import type { Database } from '@hostwatch/db';
import type { Clock } from '../clock.js';
import type { AlerterLog } from '../log.js';
import { securityMail, type SecurityMailEvent } from '../notify/security-mail.js';
import type { AlerterMetrics } from '../ops/alerter-metrics.js';
import { enqueueMail } from '../outbox/enqueue-mail.js';
import { mailMessageId } from '../outbox/mail-message-id.js';
import { clientsForHost, recipientsForHost } from '../rules/clients-for-host.js';
import type { AlertRule, Client, Rules } from '../rules/rules.js';
import { AlertBook, type AlertOwner, type StoredSilence } from './alert-book.js';
import { statsObservations } from './stats-observations.js';

/** A message that opened and validated, as the evaluator takes it. */
export interface HostMessageItem {
  readonly hostId: string;
  readonly messageId: string;
  readonly message: HostMessage;
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

interface NewSshEvent {
  readonly time: number;
  readonly event: string;
  readonly source: string | undefined;
  readonly user: string | undefined;
  readonly method: string | undefined;
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
      const sshHosts = new Map<string, NewSshEvent[]>();
      const securityHosts = new Set<string>();
      const stats: { hostId: string; messageId: string; message: StatsMessageV1 }[] = [];
      for (const { hostId, messageId, message } of items) {
        if (message.kind === 'stats') {
          stats.push({ hostId, messageId, message });
        } else if (message.kind === 'ssh') {
          const fresh = await this.#recordSsh(trx, hostId, message.events, now);
          if (fresh.length > 0) {
            sshHosts.set(hostId, [...(sshHosts.get(hostId) ?? []), ...fresh]);
            securityHosts.add(hostId);
          }
        } else {
          await this.#queueSecurity(trx, hostId, 'event', message.events, now);
          securityHosts.add(hostId);
        }
      }
      const statsHosts = await this.#recordStats(trx, stats, now);
      await this.#applyDueSamples(trx, book, rules, statsHosts, now);
      for (const [hostId, events] of sshHosts) await this.#evaluateSsh(trx, book, rules, hostId, events);
      const mailed = this.#digestWindowMs === 0 && securityHosts.size > 0 ? await this.#mailSecurity(trx, rules, now, [...securityHosts]) : 0;
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
        .selectFrom('alerter_samples')
        .select('host_id')
        .distinct()
        .where('received_at', '<=', new Date(now - this.#latenessMs))
        .execute();
      await this.#applyDueSamples(trx, book, rules, waiting.map((w) => w.host_id), now);

      if (rules !== this.#rulesSeen) {
        await this.#forgetRemovedRules(trx, rules);
        this.#rulesSeen = rules;
      }
      await this.#evaluateOffline(trx, book, rules, now);
      await this.#evaluateWindows(trx, book, rules, now);
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

  /** Records a batch's stats samples; resolves to the hosts that got a sample still to evaluate. */
  async #recordStats(trx: Transaction<Database>, samples: readonly { hostId: string; messageId: string; message: StatsMessageV1 }[], now: number): Promise<string[]> {
    if (samples.length === 0) return [];
    const hostIds = [...new Set(samples.map((s) => s.hostId))].sort();
    const applied = new Map<string, number>();
    const rows = await trx.selectFrom('alerter_hosts').select(['host_id', 'applied_until']).where('host_id', 'in', hostIds).orderBy('host_id').forUpdate().execute();
    for (const r of rows) if (r.applied_until) applied.set(r.host_id, r.applied_until.getTime());
    const newest = new Map<string, StatsMessageV1>();
    for (const { hostId, message } of samples) {
      const seen = newest.get(hostId);
      if (!seen || Date.parse(message.time) >= Date.parse(seen.time)) newest.set(hostId, message);
    }
    await trx
      .insertInto('alerter_hosts')
      .values([...newest].map(([hostId, m]) => ({ host_id: hostId, hostname: m.hostname, addresses: m.addresses, last_stats_time: new Date(m.time), updated_at: new Date(now) })))
      .onConflict((oc) =>
        oc.column('host_id').doUpdateSet({
          hostname: sql`CASE WHEN alerter_hosts.last_stats_time IS NULL OR excluded.last_stats_time >= alerter_hosts.last_stats_time THEN excluded.hostname ELSE alerter_hosts.hostname END`,
          addresses: sql`CASE WHEN alerter_hosts.last_stats_time IS NULL OR excluded.last_stats_time >= alerter_hosts.last_stats_time THEN excluded.addresses ELSE alerter_hosts.addresses END`,
          last_stats_time: sql`greatest(alerter_hosts.last_stats_time, excluded.last_stats_time)`,
          updated_at: new Date(now),
        }),
      )
      .execute();
    const fresh = samples.filter(({ hostId, messageId, message }) => {
      const until = applied.get(hostId);
      if (until === undefined || Date.parse(message.time) > until) return true;
      this.#o.metrics?.lateSamples.inc();
      this.#o.log.debug({ hostId, messageId, time: message.time, appliedUntil: new Date(until) }, 'stats sample arrived after its time was evaluated; not evaluated');
      return false;
    });
    if (fresh.length === 0) return [];
    await trx
      .insertInto('alerter_samples')
      .values(
        fresh.map(({ hostId, messageId, message: m }) => ({
          host_id: hostId,
          message_id: messageId,
          time: new Date(m.time),
          received_at: new Date(now),
          sample: JSON.stringify({ time: m.time, hostname: m.hostname, addresses: m.addresses, cpu: m.cpu, memory: m.memory, swap: m.swap, load: m.load, disks: m.disks }),
        })),
      )
      .onConflict((oc) => oc.columns(['host_id', 'message_id']).doNothing())
      .execute();
    return [...new Set(fresh.map((f) => f.hostId))];
  }

  /** Evaluates, in event-time order, every sample of `hostIds` whose lateness passed, and forgets it. */
  async #applyDueSamples(trx: Transaction<Database>, book: AlertBook, rules: Rules, hostIds: readonly string[], now: number): Promise<void> {
    if (hostIds.length === 0) return;
    const due = await sql<{ host_id: string; message_id: string; time: Date; sample: StatsMessageV1 }>`
      WITH newest AS (
        SELECT host_id, max(time) AS t FROM alerter_samples WHERE host_id = ANY(${[...hostIds]}::text[]) GROUP BY host_id)
      DELETE FROM alerter_samples s USING newest n
       WHERE s.host_id = n.host_id
         AND (s.time <= n.t - make_interval(secs => ${this.#latenessMs / 1000}) OR s.received_at <= ${new Date(now - this.#latenessMs)})
      RETURNING s.host_id, s.message_id, s.time, s.sample`.execute(trx);
    if (due.rows.length === 0) return;
    const ordered = [...due.rows].sort((a, b) => a.host_id.localeCompare(b.host_id) || a.time.getTime() - b.time.getTime() || a.message_id.localeCompare(b.message_id));
    await book.preload([...new Set(ordered.map((r) => r.host_id))]);
    const last = new Map<string, Date>();
    for (const row of ordered) {
      const sample = row.sample;
      const hostId = row.host_id;
      const time = row.time.getTime();
      last.set(hostId, row.time);
      for (const client of clientsForHost(rules, hostId, sample.addresses)) {
        for (const rule of client.alerts) {
          if (!THRESHOLD_TYPES.has(rule.type)) continue;
          for (const { label, value } of statsObservations(rule, sample)) {
            await book.observe({ rule, owner: ownerOf(client), hostId, hostname: sample.hostname, addresses: sample.addresses, label, obs: { value, time } });
          }
        }
      }
    }
    const hosts = [...last.keys()];
    await sql`
      UPDATE alerter_hosts h SET applied_until = v.t
        FROM unnest(${hosts}::text[], ${hosts.map((h) => (last.get(h) ?? new Date(0)).toISOString())}::timestamptz[]) AS v(host_id, t)
       WHERE h.host_id = v.host_id`.execute(trx);
  }

  async #recordSsh(trx: Transaction<Database>, hostId: string, events: readonly SshEvent[], now: number): Promise<NewSshEvent[]> {
    const inserted = await trx
      .insertInto('alerter_ssh_events')
      .values(events.map((e) => ({ host_id: hostId, event_id: e.id, time: new Date(e.time), event: e.event, source: e.source ?? null, user: e.user ?? null, count: e.count })))
      .onConflict((oc) => oc.columns(['host_id', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    const fresh = new Set(inserted.map((r) => r.event_id));
    const added: SshEvent[] = [];
    for (const e of events) {
      if (!fresh.has(e.id)) continue;
      fresh.delete(e.id);
      added.push(e);
    }
    await this.#queueSecurity(trx, hostId, 'ssh', added, now);
    return added.map((e) => ({ time: Date.parse(e.time), event: e.event, source: e.source, user: e.user, method: e.method }));
  }

  async #queueSecurity(trx: Transaction<Database>, hostId: string, kind: 'ssh' | 'event', events: readonly (SshEvent | SecurityEvent)[], now: number): Promise<void> {
    if (events.length === 0) return;
    await trx
      .insertInto('alerter_security_queue')
      .values(
        events.map(({ id, ...data }) => ({ host_id: hostId, kind, event_id: id, time: new Date(data.time), data: JSON.stringify(data), received_at: new Date(now) })),
      )
      .onConflict((oc) => oc.columns(['host_id', 'kind', 'event_id']).doNothing())
      .execute();
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
    const hosts = await trx.selectFrom('alerter_hosts').select(['host_id', 'hostname', 'addresses', 'last_stats_time']).where('last_stats_time', 'is not', null).execute();
    for (const host of hosts) {
      const last = host.last_stats_time?.getTime();
      if (last === undefined) continue;
      for (const client of clientsForHost(rules, host.host_id, host.addresses)) {
        for (const rule of client.alerts) {
          if (rule.type !== 'offline') continue;
          const details = async (): Promise<string[]> => [`Last stats sample: ${new Date(last).toISOString()}`];
          await book.observe({ rule, owner: ownerOf(client), hostId: host.host_id, hostname: host.hostname ?? undefined, addresses: host.addresses, label: '', obs: { value: Math.max(0, now - last), time: now }, details });
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
