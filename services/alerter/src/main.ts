import { ConfigError } from '@hostwatch/config';
import { readKeyFile } from '@hostwatch/envelope';
import { Lifecycle } from '@hostwatch/lifecycle';
import { createLogger } from '@hostwatch/log';
import { natsCredentialsFromEnv, streamLimitsFromEnv } from '@hostwatch/nats';
import { buildAlerter } from './app.js';
import { systemClock } from './clock.js';
import { loadAlerterConfig } from './config/alerter-config.js';
import type { AlerterLog } from './log.js';
import { ALERTER_NODE_FLAGS } from './node-flags.js';
import { readRules } from './rules/read-rules.js';
import { RulesError } from './rules/rules-error.js';

/**
 * Runs the alerter until SIGTERM or SIGINT: reads the configuration (every problem at once), builds
 * the pieces, starts them in order and stops them in reverse. Resolves to the exit code; a bad
 * rules file or configuration at start exits 1 with the problems on standard error. Started without
 * {@link ALERTER_NODE_FLAGS} (node's own options), it says so in its log and runs.
 */
export async function main(env: NodeJS.ProcessEnv = process.env, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  let config;
  try {
    config = loadAlerterConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      stderr.write(`hostwatch alerter: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger({ service: 'alerter', env });
  const log: AlerterLog = logger;
  const missingNodeFlags = ALERTER_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
  if (missingNodeFlags.length > 0) {
    log.warn(
      { missingNodeFlags },
      `started without node ${missingNodeFlags.join(' ')}: it runs, with about a tenth more CPU per message on a busy machine; ` +
        `start it as node ${ALERTER_NODE_FLAGS.join(' ')} …/hostwatch.js alerter, as compose, Kubernetes and hostwatch start do`,
    );
  }
  const s = config.service;
  const collectorKeys = await readKeyFile(s.collectorKeyFile, 'collector');
  const parts = buildAlerter({
    natsUrl: s.natsUrl,
    natsCredentials: natsCredentialsFromEnv(env),
    streamLimits: streamLimitsFromEnv(env),
    databaseUrl: s.databaseUrl,
    collectorKeys,
    rulesFile: s.rulesFile,
    rulesMaxBytes: s.rulesMaxBytes,
    email: config.email,
    replica: config.replica,
    log,
    clock: systemClock,
    healthPort: s.healthPort,
    latenessMs: s.latenessMs,
    digestWindowMs: s.digestWindowMs,
    evaluationIntervalMs: s.evaluationIntervalMs,
    emailRetryMinMs: s.emailRetryMinMs,
    emailRetryMaxMs: s.emailRetryMaxMs,
    emailGiveUpMs: s.emailGiveUpMs,
  });
  const lifecycle = new Lifecycle({ logger });
  for (const component of parts.components) lifecycle.add(component);
  try {
    // Refuse a bad file before anything connects, with the problems where an operator looks first.
    await readRules(s.rulesFile, { maxBytes: s.rulesMaxBytes });
  } catch (err) {
    if (err instanceof RulesError) {
      stderr.write(`hostwatch alerter: the rules file cannot be used:\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
  return lifecycle.run();
}
