import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// The time-series tables are partitioned by day; ingest creates the partitions ahead of time
// and drops whole partitions for retention, so no row-by-row DELETE ever runs on them.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE host_stats (
      host_id text NOT NULL,
      time timestamptz NOT NULL,
      boot_id text NOT NULL,
      seq bigint NOT NULL,
      cpu_count integer NOT NULL,
      cpu_used_percent real,
      mem_total_bytes bigint NOT NULL,
      mem_available_bytes bigint NOT NULL,
      mem_used_percent real NOT NULL,
      swap_total_bytes bigint NOT NULL,
      swap_free_bytes bigint NOT NULL,
      swap_used_percent real NOT NULL,
      load1 real NOT NULL,
      load5 real NOT NULL,
      load15 real NOT NULL,
      uptime_seconds double precision NOT NULL,
      processes integer,
      disk_max_used_percent real,
      detail jsonb NOT NULL,
      message_id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (host_id, time, boot_id, seq)
    ) PARTITION BY RANGE (time)`.execute(db);

  await sql`
    CREATE TABLE host_stats_hourly (
      host_id text NOT NULL,
      hour timestamptz NOT NULL,
      samples integer NOT NULL,
      cpu_samples integer NOT NULL,
      cpu_sum double precision NOT NULL,
      cpu_max real,
      mem_sum double precision NOT NULL,
      mem_max real NOT NULL,
      swap_sum double precision NOT NULL,
      swap_max real NOT NULL,
      load1_sum double precision NOT NULL,
      load1_max real NOT NULL,
      disk_max real,
      PRIMARY KEY (host_id, hour)
    )`.execute(db);

  await sql`
    CREATE TABLE ssh_events (
      host_id text NOT NULL,
      event_id text NOT NULL,
      time timestamptz NOT NULL,
      event text NOT NULL,
      session text NOT NULL,
      log_host text,
      pid integer,
      source text,
      port integer,
      username text,
      method text,
      count integer NOT NULL,
      message_id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (host_id, event_id, time)
    ) PARTITION BY RANGE (time)`.execute(db);
  await sql`CREATE INDEX ssh_events_session_idx ON ssh_events (host_id, session)`.execute(db);
  await sql`CREATE INDEX ssh_events_source_idx ON ssh_events (source, time)`.execute(db);

  await sql`
    CREATE TABLE ssh_sessions (
      host_id text NOT NULL,
      session text NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz NOT NULL,
      source text,
      port integer,
      pid integer,
      users text[] NOT NULL DEFAULT '{}',
      methods text[] NOT NULL DEFAULT '{}',
      failures integer NOT NULL DEFAULT 0,
      invalid_users integer NOT NULL DEFAULT 0,
      accepted integer NOT NULL DEFAULT 0,
      events integer NOT NULL DEFAULT 0,
      closed boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (host_id, session)
    )`.execute(db);
  await sql`CREATE INDEX ssh_sessions_started_idx ON ssh_sessions (host_id, started_at)`.execute(db);
  await sql`CREATE INDEX ssh_sessions_ended_idx ON ssh_sessions (ended_at)`.execute(db);

  await sql`
    CREATE TABLE ssh_daily (
      host_id text NOT NULL,
      day date NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      failures integer NOT NULL DEFAULT 0,
      invalid_users integer NOT NULL DEFAULT 0,
      accepted integer NOT NULL DEFAULT 0,
      sources integer NOT NULL DEFAULT 0,
      PRIMARY KEY (host_id, day)
    )`.execute(db);
  // Distinct counts are not additive: these remember what a day has already counted.
  await sql`
    CREATE TABLE ssh_daily_sessions (
      host_id text NOT NULL,
      day date NOT NULL,
      session text NOT NULL,
      PRIMARY KEY (host_id, day, session)
    )`.execute(db);
  await sql`
    CREATE TABLE ssh_daily_sources (
      host_id text NOT NULL,
      day date NOT NULL,
      source text NOT NULL,
      PRIMARY KEY (host_id, day, source)
    )`.execute(db);

  await sql`
    CREATE TABLE security_events (
      host_id text NOT NULL,
      event_id text NOT NULL,
      time timestamptz NOT NULL,
      type text NOT NULL,
      log_host text,
      username text,
      target text,
      command text,
      tty text,
      allowed boolean,
      detail text,
      message_id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (host_id, event_id, time)
    ) PARTITION BY RANGE (time)`.execute(db);
  await sql`CREATE INDEX security_events_time_idx ON security_events (host_id, time)`.execute(db);

  await sql`
    CREATE TABLE quarantine (
      id bigserial PRIMARY KEY,
      received_at timestamptz NOT NULL DEFAULT now(),
      reason text NOT NULL,
      detail text NOT NULL,
      subject text NOT NULL,
      host_id text,
      message_id text,
      stream_seq bigint UNIQUE,
      deliveries integer,
      headers jsonb NOT NULL DEFAULT '{}',
      data bytea NOT NULL,
      data_bytes integer NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX quarantine_received_idx ON quarantine (received_at)`.execute(db);
  await sql`CREATE INDEX quarantine_reason_idx ON quarantine (reason, received_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'quarantine',
    'security_events',
    'ssh_daily_sources',
    'ssh_daily_sessions',
    'ssh_daily',
    'ssh_sessions',
    'ssh_events',
    'host_stats_hourly',
    'host_stats',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
