import { hostname } from 'node:os';
import { ConfigError, defineConfig, field, loadConfig, type Config } from '@hostwatch/config';
import type { EmailSettings } from '../notify/email/email-settings.js';
import { DEFAULT_MAX_RULES_BYTES } from '../rules/parse-rules.js';

/** The alerter's settings, from the environment. */
export const ALERTER_CONFIG = defineConfig({
  natsUrl: field.url({ env: 'NATS_URL', required: true, protocols: ['nats', 'tls'], description: 'NATS server(s) the stream is on.' }),
  databaseUrl: field.url({ env: 'DATABASE_URL', required: true, protocols: ['postgres', 'postgresql'], secret: true, description: 'PostgreSQL holding alert state and the mail outbox.' }),
  healthPort: field.integer({ env: 'HEALTH_PORT', default: 9103, min: 0, max: 65535, description: 'Port of /healthz, /readyz and /metrics.' }),
  collectorKeyFile: field.path({ env: 'COLLECTOR_KEY_FILE', required: true, description: 'The collector key file that opens host messages.' }),
  rulesFile: field.path({ env: 'RULES_FILE', required: true, description: 'The XML rules file (docs/rules.md); reloaded when it changes.' }),
  rulesMaxBytes: field.integer({ env: 'RULES_MAX_BYTES', default: DEFAULT_MAX_RULES_BYTES, min: 1024, description: 'Largest rules file accepted.' }),
  latenessMs: field.duration({ env: 'ALERT_LATENESS', default: '10s', max: '1h', description: 'How late a stats sample may arrive and still be evaluated in event-time order.' }),
  evaluationIntervalMs: field.duration({ env: 'ALERT_EVALUATION_INTERVAL', default: '1s', min: '100ms', max: '1m', description: 'How often time-driven rules (offline, windows, lateness, digests) are evaluated.' }),
  digestWindowMs: field.duration({ env: 'SECURITY_DIGEST_WINDOW', default: '60s', max: '1d', description: 'Security events of one host within this share a mail; 0 sends one mail per event.' }),
  emailConfigFile: field.path({ env: 'EMAIL_CONFIG_FILE', optional: true, description: 'email_config.json with host, port, secure, user, password, from; EMAIL_* variables override it.' }),
  emailConnectTimeoutMs: field.duration({ env: 'EMAIL_CONNECT_TIMEOUT', default: '30s', min: '100ms', max: '10m', description: 'Longest wait for the SMTP connection (and TLS), then again for the greeting; a dead or frozen server is retried after it.' }),
  emailHandoverTimeoutMs: field.duration({ env: 'EMAIL_HANDOVER_TIMEOUT', default: '2m', min: '100ms', max: '30m', description: 'Longest time from the start of an attempt until the whole message is handed over (EHLO, AUTH, MAIL, RCPT, DATA, the message and its final dot); giving up before the final dot is always safe to retry.' }),
  emailFinalReplyTimeoutMs: field.duration({ env: 'EMAIL_FINAL_REPLY_TIMEOUT', default: '10m', min: '100ms', max: '1h', description: 'Longest wait for the reply after the final dot (RFC 5321: 10 minutes); the server may have accepted the mail, so giving up here may deliver it twice.' }),
  emailRetryMinMs: field.duration({ env: 'EMAIL_RETRY_MIN', default: '5s', min: '10ms', description: 'First delay before a mail is retried after a transient failure; doubles each time.' }),
  emailRetryMaxMs: field.duration({ env: 'EMAIL_RETRY_MAX', default: '5m', min: '10ms', description: 'Longest delay between retries of a mail.' }),
  emailGiveUpMs: field.duration({ env: 'EMAIL_GIVE_UP_AFTER', default: '24h', min: '1s', description: 'A mail still failing transiently this long after it was queued is marked failed.' }),
  replica: field.string({ env: 'ALERTER_REPLICA', optional: true, description: 'Name of this replica in the outbox claims (default: hostname and pid).' }),
});

/** The `email_config.json` settings, each overridable by its `EMAIL_*` variable. */
export const EMAIL_CONFIG = defineConfig({
  host: field.string({ env: 'EMAIL_HOST', required: true, description: 'SMTP server host.' }),
  port: field.integer({ env: 'EMAIL_PORT', default: 25, min: 1, max: 65535, description: 'SMTP server port.' }),
  secure: field.boolean({ env: 'EMAIL_SECURE', default: false, description: 'TLS from the first byte (port 465); otherwise STARTTLS when offered.' }),
  user: field.string({ env: 'EMAIL_USER', optional: true, description: 'SMTP user, when the server wants a login.' }),
  password: field.string({ env: 'EMAIL_PASSWORD', optional: true, secret: true, description: 'SMTP password.' }),
  from: field.string({ env: 'EMAIL_FROM', required: true, description: 'From address of every mail.' }),
});

/** The alerter's whole configuration. */
export interface AlerterConfig {
  readonly service: Config<typeof ALERTER_CONFIG.fields>;
  readonly email: EmailSettings;
  readonly replica: string;
}

/** Reads and validates the alerter's configuration from `env` (and `email_config.json`), listing every problem at once in a {@link ConfigError}. */
export function loadAlerterConfig(env: Readonly<Record<string, string | undefined>>, cwd?: string): AlerterConfig {
  const problems: string[] = [];
  let service: Config<typeof ALERTER_CONFIG.fields> | undefined;
  let email: Config<typeof EMAIL_CONFIG.fields> | undefined;
  try {
    service = loadConfig(ALERTER_CONFIG, { env, cwd });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  try {
    email = loadConfig(EMAIL_CONFIG, { env, cwd, file: service?.emailConfigFile ?? (env['EMAIL_CONFIG_FILE'] || undefined) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (env['EMAIL_TIMEOUT'] !== undefined) {
    problems.push('EMAIL_TIMEOUT is no longer read: set EMAIL_CONNECT_TIMEOUT, EMAIL_HANDOVER_TIMEOUT and EMAIL_FINAL_REPLY_TIMEOUT instead (docs/rules.md, "Timeouts")');
  }
  if (!service || !email || problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    service,
    email: Object.freeze({
      ...email,
      user: email.user,
      password: email.password,
      connectTimeoutMs: service.emailConnectTimeoutMs,
      handoverTimeoutMs: service.emailHandoverTimeoutMs,
      finalReplyTimeoutMs: service.emailFinalReplyTimeoutMs,
    }),
    replica: service.replica ?? `${hostname()}:${process.pid}`,
  });
}
