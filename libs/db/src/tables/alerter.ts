import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from './hosts.js';

/** A timestamp column with a database default: optional on insert, read as a Date. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** What the alerter knows of a host from its own stats: name and addresses for matching rules and for mail, written when they change. */
export interface AlerterHostsTable {
  host_id: string;
  hostname: string | null;
  addresses: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: DefaultTimestamp;
}

/** How far a host's stats got: the newest sample received, event time evaluated, and the samples waiting out the allowed lateness. */
export interface AlerterHostProgressTable {
  host_id: string;
  /** Event time of the newest stats sample received. */
  last_stats_time: Timestamp | null;
  /** Event time up to which samples were evaluated; older samples arriving now are too late. */
  applied_until: Timestamp | null;
  /** The samples waiting, a line each (`messageId TAB time TAB receivedAt TAB sample JSON`) the alerter encodes and decodes; PostgreSQL does not parse it. */
  waiting: ColumnType<string, string | undefined, string>;
  /** When the oldest waiting sample was received; null when none waits. */
  waiting_since: Timestamp | null;
}

/** An sshd event kept for windowed rules (failures per host or source, logins after failures, brute force). */
export interface AlerterSshEventsTable {
  host_id: string;
  event_id: string;
  time: Timestamp;
  event: string;
  source: string | null;
  user: string | null;
  count: number;
}

/** A security event (ssh or other) of a host waiting for, or already put in, its mail. */
export interface AlerterSecurityQueueTable {
  host_id: string;
  kind: 'ssh' | 'event';
  event_id: string;
  time: Timestamp;
  data: ColumnType<unknown, string, string>;
  received_at: Timestamp;
  mailed_at: Timestamp | null;
  message_id: string | null;
}

/** An alert series that is pending or firing; a series without a row is inactive. */
export interface AlerterAlertsTable {
  series_key: string;
  rule_key: string;
  host_id: string | null;
  type: string;
  label: string | null;
  state: 'pending' | 'firing';
  since: Timestamp;
  fired_at: Timestamp | null;
  last_value: number;
  last_time: Timestamp;
  notified_at: Timestamp | null;
  notifications: number;
  updated_at: DefaultTimestamp;
}

/** A mail to send, written in the same transaction as the change that caused it. */
export interface AlerterOutboxTable {
  id: Generated<string>;
  message_id: string;
  kind: 'alert' | 'security';
  recipients: string[];
  subject: string;
  body: string;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | 'sent' | 'failed' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultTimestamp;
  claimed_until: Timestamp | null;
  claimed_by: string | null;
  last_error: string | null;
  created_at: DefaultTimestamp;
  sent_at: Timestamp | null;
}

/** A silence made through the API: mutes the alerts of one host (or all) of some types (or all) while it lasts. */
export interface AlertSilencesTable {
  id: Generated<string>;
  host_id: string | null;
  types: ColumnType<string[], string[] | undefined, string[]>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  comment: string;
  created_by: string;
  created_at: DefaultTimestamp;
}

/** The alerter's tables. */
export interface AlerterTables {
  alerter_hosts: AlerterHostsTable;
  alerter_host_progress: AlerterHostProgressTable;
  alerter_ssh_events: AlerterSshEventsTable;
  alerter_security_queue: AlerterSecurityQueueTable;
  alerter_alerts: AlerterAlertsTable;
  alerter_outbox: AlerterOutboxTable;
  alert_silences: AlertSilencesTable;
}
