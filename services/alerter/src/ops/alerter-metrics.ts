import { Counter, Gauge, Histogram, type Registry } from '@hostwatch/ops';

/** The alerter's Prometheus metrics. */
export class AlerterMetrics {
  /** Stream messages handled, by kind and outcome (`ok`, `refused`, `retry`). */
  readonly messages: Counter<'kind' | 'result'>;
  /** Messages evaluated in one transaction. */
  readonly batchSize: Histogram;
  /** Stats samples that arrived after their host's evaluation had passed them (later than the allowed lateness). */
  readonly lateSamples: Counter;
  /** Alert notifications queued, by alert type and transition. */
  readonly notifications: Counter<'type' | 'transition'>;
  /** Security events put in a mail. */
  readonly securityEventsMailed: Counter;
  /** Mails accepted by the SMTP server. */
  readonly mailsSent: Counter;
  /** Send attempts that failed, by whether the failure was permanent. */
  readonly mailFailures: Counter<'permanent'>;
  /** Rules file loads, by outcome (`ok`, `error`). */
  readonly rulesLoads: Counter<'result'>;
  /** 1 when the rules file on disk is the one in use, 0 when its last edit was refused. */
  readonly rulesCurrent: Gauge;
  /** When the rules in use were loaded, in seconds since the epoch. */
  readonly rulesLoadedAt: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.messages = new Counter({ name: 'hostwatch_alerter_messages_total', help: 'Stream messages handled, by kind and result.', labelNames: ['kind', 'result'], registers });
    this.batchSize = new Histogram({ name: 'hostwatch_alerter_batch_messages', help: 'Messages evaluated in one transaction.', buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000], registers });
    this.lateSamples = new Counter({ name: 'hostwatch_alerter_late_samples_total', help: 'Stats samples older than the allowed lateness, not evaluated.', registers });
    this.notifications = new Counter({ name: 'hostwatch_alerter_notifications_total', help: 'Alert notifications queued, by type and transition.', labelNames: ['type', 'transition'], registers });
    this.securityEventsMailed = new Counter({ name: 'hostwatch_alerter_security_events_mailed_total', help: 'Security events put in a mail.', registers });
    this.mailsSent = new Counter({ name: 'hostwatch_alerter_mails_sent_total', help: 'Mails accepted by the SMTP server.', registers });
    this.mailFailures = new Counter({ name: 'hostwatch_alerter_mail_failures_total', help: 'Failed send attempts, by whether the failure was permanent.', labelNames: ['permanent'], registers });
    this.rulesLoads = new Counter({ name: 'hostwatch_alerter_rules_loads_total', help: 'Rules file loads, by result.', labelNames: ['result'], registers });
    this.rulesCurrent = new Gauge({ name: 'hostwatch_alerter_rules_current', help: '1 when the rules file on disk is in use, 0 when its last edit was refused.', registers });
    this.rulesLoadedAt = new Gauge({ name: 'hostwatch_alerter_rules_loaded_timestamp_seconds', help: 'When the rules in use were loaded.', registers });
  }
}
