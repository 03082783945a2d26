import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from './hosts.js';

/** A column the database fills on insert (`DEFAULT now()`), read as a Date. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

/** One stats sample of a host, partitioned by day of `time`. */
export interface HostStatsTable {
  host_id: string;
  time: Timestamp;
  boot_id: string;
  seq: ColumnType<string, number | string, never>;
  cpu_count: number;
  cpu_used_percent: number | null;
  mem_total_bytes: ColumnType<string, number | string, never>;
  mem_available_bytes: ColumnType<string, number | string, never>;
  mem_used_percent: number;
  swap_total_bytes: ColumnType<string, number | string, never>;
  swap_free_bytes: ColumnType<string, number | string, never>;
  swap_used_percent: number;
  load1: number;
  load5: number;
  load15: number;
  uptime_seconds: number;
  processes: number | null;
  disk_max_used_percent: number | null;
  /** Per-core CPU, disks, network interfaces and agent health, as the message carried them. */
  detail: ColumnType<unknown, string, never>;
  message_id: string;
  received_at: CreatedAt;
}

/**
 * Each host's newest stats sample (greatest `time`, then boot id and sequence), kept by ingest in
 * the transaction that stores the sample; the same columns as {@link HostStatsTable}.
 */
export type HostLatestTable = HostStatsTable;

/** Hourly rollup of host stats for long ranges: sums and maxima, averages are sum / samples. */
export interface HostStatsHourlyTable {
  host_id: string;
  hour: Timestamp;
  samples: number;
  cpu_samples: number;
  cpu_sum: number;
  cpu_max: number | null;
  mem_sum: number;
  mem_max: number;
  swap_sum: number;
  swap_max: number;
  load1_sum: number;
  load1_max: number;
  disk_max: number | null;
}

/** 5-minute rollup of host stats (sums in double precision), kept by ingest's maintenance. */
export type HostStats5mTable = Omit<HostStatsHourlyTable, 'hour'> & { bucket: Timestamp };

/** The one-row high-water mark of {@link HostStats5mTable}: slots in [from, until) are rolled up. */
export interface HostStats5mCoverageTable {
  only_row: ColumnType<boolean, boolean | undefined, never>;
  covered_from: Timestamp;
  covered_until: Timestamp;
}

/** One sshd event of a host, unique by (host, event id), partitioned by day of `time`. */
export interface SshEventsTable {
  host_id: string;
  event_id: string;
  time: Timestamp;
  event: string;
  session: string;
  log_host: string | null;
  pid: number | null;
  source: string | null;
  port: number | null;
  username: string | null;
  method: string | null;
  count: number;
  message_id: string;
  received_at: CreatedAt;
}

/** One sshd connection, merged from its events in any order and at most once per event. */
export interface SshSessionsTable {
  host_id: string;
  session: string;
  started_at: Timestamp;
  ended_at: Timestamp;
  source: string | null;
  port: number | null;
  pid: number | null;
  users: string[];
  methods: string[];
  failures: number;
  invalid_users: number;
  accepted: number;
  events: number;
  closed: boolean;
  updated_at: CreatedAt;
}

/** Per host and UTC day: sessions (attempts), failed and accepted logins, distinct sources. */
export interface SshDailyTable {
  host_id: string;
  day: ColumnType<Date, Date | string, Date | string>;
  attempts: number;
  failures: number;
  invalid_users: number;
  accepted: number;
  sources: number;
}

/** Which sessions a day of {@link SshDailyTable} has counted. */
export interface SshDailySessionsTable {
  host_id: string;
  day: ColumnType<Date, Date | string, Date | string>;
  session: string;
}

/** Which sources a day of {@link SshDailyTable} has counted. */
export interface SshDailySourcesTable {
  host_id: string;
  day: ColumnType<Date, Date | string, Date | string>;
  source: string;
}

/** One security event (sudo, su, user and group changes), partitioned by day of `time`. */
export interface SecurityEventsTable {
  host_id: string;
  event_id: string;
  time: Timestamp;
  type: string;
  log_host: string | null;
  username: string | null;
  target: string | null;
  command: string | null;
  tty: string | null;
  allowed: boolean | null;
  detail: string | null;
  message_id: string;
  received_at: CreatedAt;
}

/** A message ingest refused: why, where it came from, and its first bytes. */
export interface QuarantineTable {
  id: Generated<string>;
  received_at: CreatedAt;
  reason: string;
  detail: string;
  subject: string;
  host_id: string | null;
  message_id: string | null;
  stream_seq: ColumnType<string | null, number | null | undefined, never>;
  deliveries: number | null;
  headers: ColumnType<Record<string, string>, string | undefined, never>;
  data: Buffer;
  data_bytes: number;
}

/** The tables ingest writes. */
export interface IngestTables {
  host_stats: HostStatsTable;
  host_latest: HostLatestTable;
  host_stats_hourly: HostStatsHourlyTable;
  host_stats_5m: HostStats5mTable;
  host_stats_5m_coverage: HostStats5mCoverageTable;
  ssh_events: SshEventsTable;
  ssh_sessions: SshSessionsTable;
  ssh_daily: SshDailyTable;
  ssh_daily_sessions: SshDailySessionsTable;
  ssh_daily_sources: SshDailySourcesTable;
  security_events: SecurityEventsTable;
  quarantine: QuarantineTable;
}
