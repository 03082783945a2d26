import { ALERTER_NODE_FLAGS, main as runAlerter } from '@hostwatch/alerter';
import { UsageError, type Command } from '../command.js';

/** `hostwatch alerter`: runs the alerter service until SIGTERM. */
export const alerterCommand: Command = {
  path: ['alerter'],
  summary: 'run the alerter: rules.xml alerts and security mail (NATS_URL, DATABASE_URL, COLLECTOR_KEY_FILE, RULES_FILE, EMAIL_*)',
  usage: `Usage: hostwatch alerter

Runs the alerter until SIGTERM or SIGINT: reads the durable JetStream consumer 'alerter', evaluates
the rules file (docs/rules.md, reloaded when it changes) on event time, keeps alert state and a mail
outbox in PostgreSQL, and mails alerts and every security event. Configured from the environment:

  NATS_URL, DATABASE_URL, COLLECTOR_KEY_FILE, RULES_FILE   required
  EMAIL_HOST, EMAIL_FROM                                   required, here or in EMAIL_CONFIG_FILE
  EMAIL_CONFIG_FILE                                        email_config.json (host, port, secure, user, password, from)
  EMAIL_PORT (25), EMAIL_SECURE (false), EMAIL_USER, EMAIL_PASSWORD   override the file
  EMAIL_CONNECT_TIMEOUT (30s)      connection and greeting; a dead or frozen server is retried after it
  EMAIL_HANDOVER_TIMEOUT (2m)      until the message and its final dot are sent; retrying is safe
  EMAIL_FINAL_REPLY_TIMEOUT (10m)  the reply after the final dot; the server may already have the mail
  EMAIL_RETRY_MIN (5s), EMAIL_RETRY_MAX (5m), EMAIL_GIVE_UP_AFTER (24h)
  ALERT_LATENESS (10s)             how late a stats sample may arrive and still count in order
  ALERT_EVALUATION_INTERVAL (1s)   time-driven rules: offline, windows, lateness, digests
  SECURITY_DIGEST_WINDOW (60s)     a host's security events within it share a mail; 0 = one mail each
  RULES_MAX_BYTES (1048576), HEALTH_PORT (9103), LOG_LEVEL (info), ALERTER_REPLICA (hostname:pid)

Start node with the alerter's flags, as compose, Kubernetes and hostwatch start do:
  node ${ALERTER_NODE_FLAGS.join(' ')} …/hostwatch.js alerter   (without them it logs a warning and runs)

Check a rules file without running anything: hostwatch rules check FILE.`,
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
    return runAlerter(io.env, io.stderr);
  },
};
