import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.
// The alerter keeps its own state, fed by its own durable consumer, so it never waits on ingest.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE alerter_hosts (
      host_id text PRIMARY KEY,
      hostname text,
      addresses text[] NOT NULL DEFAULT '{}',
      last_stats_time timestamptz,
      applied_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX alerter_hosts_addresses_idx ON alerter_hosts USING gin (addresses)`.execute(db);

  await sql`
    CREATE TABLE alerter_samples (
      host_id text NOT NULL,
      message_id text NOT NULL,
      time timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      sample jsonb NOT NULL,
      PRIMARY KEY (host_id, message_id)
    )`.execute(db);
  await sql`CREATE INDEX alerter_samples_time_idx ON alerter_samples (host_id, time)`.execute(db);

  await sql`
    CREATE TABLE alerter_ssh_events (
      host_id text NOT NULL,
      event_id text NOT NULL,
      time timestamptz NOT NULL,
      event text NOT NULL,
      source text,
      "user" text,
      count integer NOT NULL,
      PRIMARY KEY (host_id, event_id)
    )`.execute(db);
  await sql`CREATE INDEX alerter_ssh_events_host_time_idx ON alerter_ssh_events (host_id, time)`.execute(db);
  await sql`CREATE INDEX alerter_ssh_events_source_time_idx ON alerter_ssh_events (source, time)`.execute(db);

  await sql`
    CREATE TABLE alerter_security_queue (
      host_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('ssh', 'event')),
      event_id text NOT NULL,
      time timestamptz NOT NULL,
      data jsonb NOT NULL,
      received_at timestamptz NOT NULL,
      mailed_at timestamptz,
      message_id text,
      PRIMARY KEY (host_id, kind, event_id)
    )`.execute(db);
  await sql`CREATE INDEX alerter_security_queue_pending_idx ON alerter_security_queue (host_id, received_at) WHERE mailed_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE alerter_alerts (
      series_key text PRIMARY KEY,
      rule_key text NOT NULL,
      host_id text,
      type text NOT NULL,
      label text,
      state text NOT NULL CHECK (state IN ('pending', 'firing')),
      since timestamptz NOT NULL,
      fired_at timestamptz,
      last_value double precision NOT NULL,
      last_time timestamptz NOT NULL,
      notified_at timestamptz,
      notifications integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE alerter_outbox (
      id bigserial PRIMARY KEY,
      message_id text NOT NULL UNIQUE,
      kind text NOT NULL CHECK (kind IN ('alert', 'security')),
      recipients text[] NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      claimed_until timestamptz,
      claimed_by text,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX alerter_outbox_due_idx ON alerter_outbox (next_attempt_at) WHERE status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['alerter_outbox', 'alerter_alerts', 'alerter_security_queue', 'alerter_ssh_events', 'alerter_samples', 'alerter_hosts']) {
    await db.schema.dropTable(table).execute();
  }
}
