import type { StreamLimits } from '@hostwatch/contract';
import type { Database } from '@hostwatch/db';
import type { CollectorKeyPair } from '@hostwatch/envelope';
import type { Component } from '@hostwatch/lifecycle';
import { connectWithBackoff, ensureTopology, type NatsCredentials } from '@hostwatch/nats';
import { createMetricsRegistry, startOpsServer, type OpsServer, type Registry } from '@hostwatch/ops';
import { sql, type Kysely } from 'kysely';
import type { Clock } from './clock.js';
import { StreamConsumer } from './consume/stream-consumer.js';
import type { NatsConnection } from './consume/stream-reader.js';
import { EvaluationTicker } from './evaluate/evaluation-ticker.js';
import { Evaluator } from './evaluate/evaluator.js';
import type { AlerterLog } from './log.js';
import { EmailNotifier } from './notify/email/email-notifier.js';
import { longestAttemptMs, type EmailSettings } from './notify/email/email-settings.js';
import { AlerterMetrics } from './ops/alerter-metrics.js';
import { OutboxSender } from './outbox/outbox-sender.js';
import { RulesWatcher } from './rules/rules-watcher.js';
import { connectDatabase } from './store/connect-database.js';

/** Everything the alerter is built from: settings, keys, a logger and a clock. */
export interface AlerterOptions {
  readonly natsUrl: string;
  readonly natsCredentials?: NatsCredentials;
  /** The operator's stream limits (`STREAM_*`), the same every service provisions with. */
  readonly streamLimits?: StreamLimits;
  readonly databaseUrl: string;
  readonly collectorKeys: CollectorKeyPair | readonly CollectorKeyPair[];
  readonly rulesFile: string;
  readonly rulesMaxBytes?: number;
  readonly email: EmailSettings;
  readonly replica: string;
  readonly log: AlerterLog;
  readonly clock: Clock;
  /** Port of /healthz, /readyz and /metrics; undefined serves none. */
  readonly healthPort?: number;
  readonly latenessMs?: number;
  readonly digestWindowMs?: number;
  readonly evaluationIntervalMs?: number;
  readonly emailRetryMinMs?: number;
  readonly emailRetryMaxMs?: number;
  readonly emailGiveUpMs?: number;
  /** Most stream messages evaluated in one transaction (default 5,000). */
  readonly batchSize?: number;
}

/** The alerter's pieces, in start order, and what tests look at. */
export interface AlerterParts {
  /** Started in order, stopped in reverse. */
  readonly components: readonly Component[];
  readonly rules: RulesWatcher;
  readonly metrics: AlerterMetrics;
  readonly registry: Registry;
  /** The ops server, once started. */
  ops(): OpsServer | undefined;
}

/**
 * Builds the alerter: the rules file and its watcher, PostgreSQL, the evaluator fed by the
 * durable consumer `alerter`, the ticker for time-driven rules, the outbox sender and the ops
 * endpoint. Nothing runs until the components are started.
 */
export function buildAlerter(o: AlerterOptions): AlerterParts {
  const registry = createMetricsRegistry('alerter');
  const metrics = new AlerterMetrics(registry);
  const rules = new RulesWatcher({ path: o.rulesFile, log: o.log.child({ component: 'rules' }), clock: o.clock, metrics, ...(o.rulesMaxBytes ? { maxBytes: o.rulesMaxBytes } : {}) });
  let db: Kysely<Database> | undefined;
  let nc: NatsConnection | undefined;
  let sender: OutboxSender | undefined;
  let ticker: EvaluationTicker | undefined;
  let consumer: StreamConsumer | undefined;
  let ops: OpsServer | undefined;
  let evaluator: Evaluator | undefined;
  const notifier = new EmailNotifier(o.email);
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started`);
    return value;
  };

  const components: Component[] = [
    { name: 'rules', start: () => rules.start(), stop: () => rules.stop() },
    {
      name: 'database',
      start: async () => {
        db = connectDatabase(o.databaseUrl, `hostwatch alerter ${o.replica}`, o.log.child({ component: 'database' }));
        await sql`SELECT 1`.execute(db);
      },
      stop: async () => {
        await db?.destroy();
      },
    },
    {
      name: 'outbox',
      start: async () => {
        sender = new OutboxSender({
          db: need(db, 'the database'),
          sender: notifier,
          replica: o.replica,
          clock: o.clock,
          log: o.log.child({ component: 'email-notifier' }),
          metrics,
          // The lease outlasts the longest attempt (handover, then the final reply), with a margin for clock skew between replicas.
          leaseMs: longestAttemptMs(o.email) + 10_000,
          ...(o.emailRetryMinMs === undefined ? {} : { retryMinMs: o.emailRetryMinMs }),
          ...(o.emailRetryMaxMs === undefined ? {} : { retryMaxMs: o.emailRetryMaxMs }),
          ...(o.emailGiveUpMs === undefined ? {} : { giveUpAfterMs: o.emailGiveUpMs }),
        });
        sender.start();
      },
      stop: async () => {
        await sender?.stop();
        notifier.close();
      },
    },
    {
      name: 'evaluator',
      start: async () => {
        evaluator = new Evaluator({
          db: need(db, 'the database'),
          rules: () => rules.rules,
          clock: o.clock,
          log: o.log.child({ component: 'evaluator' }),
          metrics,
          ...(o.latenessMs === undefined ? {} : { latenessMs: o.latenessMs }),
          ...(o.digestWindowMs === undefined ? {} : { digestWindowMs: o.digestWindowMs }),
          onMailQueued: () => sender?.wake(),
        });
        ticker = new EvaluationTicker(evaluator, o.evaluationIntervalMs ?? 1_000, o.log.child({ component: 'ticker' }));
        ticker.start();
      },
      stop: async () => {
        await ticker?.stop();
      },
    },
    {
      name: 'nats',
      start: async (signal) => {
        nc = await connectWithBackoff({ servers: o.natsUrl, name: `hostwatch-alerter ${o.replica}`, log: o.log.child({ component: 'nats' }), signal, ...(o.natsCredentials ? { credentials: o.natsCredentials } : {}) });
        await ensureTopology(nc, o.streamLimits);
      },
      stop: async () => {
        await nc?.drain().catch(() => nc?.close());
      },
    },
    {
      name: 'consumer',
      start: async () => {
        consumer = new StreamConsumer({
          natsUrl: o.natsUrl,
          natsCredentials: o.natsCredentials,
          databaseUrl: o.databaseUrl,
          collectorKeys: o.collectorKeys,
          replica: o.replica,
          batchSize: o.batchSize,
          evaluator: need(evaluator, 'the evaluator'),
          log: o.log.child({ component: 'consumer' }),
          metrics,
        });
        await consumer.start();
      },
      stop: async () => {
        await consumer?.stop();
      },
      stopTimeoutMs: 30_000,
    },
  ];
  if (o.healthPort !== undefined) {
    const port = o.healthPort;
    components.push({
      name: 'ops',
      start: async () => {
        ops = await startOpsServer({
          port,
          host: '0.0.0.0',
          registry,
          checks: {
            rules: rules.check,
            database: async () => void (await sql`SELECT 1`.execute(need(db, 'the database'))),
            nats: async () => {
              if (!nc || nc.isClosed()) throw new Error('not connected to NATS');
            },
            consumer: async () => {
              if (!consumer?.healthy) throw new Error('the last batch could not be recorded; retrying');
            },
          },
        });
      },
      stop: async () => {
        await ops?.close();
      },
    });
  }
  return { components, rules, metrics, registry, ops: () => ops };
}

/** Starts every component of `parts` in order; resolves to a function that stops them in reverse. */
export async function startAlerter(parts: AlerterParts): Promise<() => Promise<void>> {
  const started: Component[] = [];
  const stop = async (): Promise<void> => {
    for (const c of started.reverse()) await c.stop?.();
    started.length = 0;
  };
  const signal = new AbortController().signal;
  try {
    for (const c of parts.components) {
      await c.start(signal);
      started.push(c);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}
