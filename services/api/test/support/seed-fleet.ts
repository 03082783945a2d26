import type { Database } from '@hostwatch/db';
import { sql, type Kysely } from 'kysely';

const DAY_MS = 86_400_000;

/** Creates the daily partitions of the time-series tables between two times, as ingest would. */
export async function ensurePartitions(db: Kysely<Database>, from: Date, to: Date): Promise<void> {
  for (let day = Math.floor(from.getTime() / DAY_MS) * DAY_MS; day <= to.getTime(); day += DAY_MS) {
    const start = new Date(day).toISOString().slice(0, 10);
    const end = new Date(day + DAY_MS).toISOString().slice(0, 10);
    for (const table of ['host_stats', 'ssh_events', 'security_events']) {
      await sql
        .raw(
          `CREATE TABLE IF NOT EXISTS ${table}_p${start.replaceAll('-', '')} PARTITION OF ${table} ` +
            `FOR VALUES FROM ('${start} 00:00:00+00') TO ('${end} 00:00:00+00')`,
        )
        .execute(db);
    }
  }
}

/** Sets a host's `host_latest` row to its newest stored sample, as ingest does when it stores samples. */
export async function updateLatest(db: Kysely<Database>, hostId: string): Promise<void> {
  // One transaction, as ingest's: a fleet refresh between the two statements would see no latest sample.
  await db.transaction().execute(async (tx) => {
    await sql`DELETE FROM host_latest WHERE host_id = ${hostId}`.execute(tx);
    await sql`INSERT INTO host_latest SELECT * FROM host_stats WHERE host_id = ${hostId} ORDER BY time DESC LIMIT 1`.execute(
      tx,
    );
  });
}

/** Inserts one stats sample (and updates the host's latest); cpu and memory as given, the rest plausible. */
export async function insertStats(
  db: Kysely<Database>,
  hostId: string,
  time: Date,
  cpu: number,
  mem: number,
  seq: number,
): Promise<void> {
  await db
    .insertInto('host_stats')
    .values({
      host_id: hostId,
      time,
      boot_id: 'boot-1',
      seq,
      cpu_count: 4,
      cpu_used_percent: cpu,
      mem_total_bytes: 8 * 2 ** 30,
      mem_available_bytes: Math.round(8 * 2 ** 30 * (1 - mem / 100)),
      mem_used_percent: mem,
      swap_total_bytes: 2 ** 30,
      swap_free_bytes: 2 ** 30,
      swap_used_percent: 0,
      load1: cpu / 25,
      load5: cpu / 30,
      load15: cpu / 35,
      uptime_seconds: 86_400 + seq * 10,
      processes: 120,
      disk_max_used_percent: 41.5,
      detail: JSON.stringify({ disks: [{ mount: '/', usedPercent: 41.5 }] }),
      message_id: `${hostId}-boot-1-${seq}`,
    })
    .execute();
  await updateLatest(db, hostId);
}

/** Inserts one ssh session. */
export async function insertSession(
  db: Kysely<Database>,
  s: {
    host: string;
    session: string;
    start: Date;
    source: string | null;
    users: string[];
    failures?: number;
    invalid?: number;
    accepted?: number;
  },
): Promise<void> {
  await db
    .insertInto('ssh_sessions')
    .values({
      host_id: s.host,
      session: s.session,
      started_at: s.start,
      ended_at: new Date(s.start.getTime() + 5_000),
      source: s.source,
      port: 50_000,
      pid: 1234,
      users: s.users,
      methods: s.accepted ? ['publickey'] : ['password'],
      failures: s.failures ?? 0,
      invalid_users: s.invalid ?? 0,
      accepted: s.accepted ?? 0,
      events: 3,
      closed: true,
    })
    .execute();
}

/**
 * A small fleet relative to `now`: web-01 online with two hours of 10 s stats and an hourly rollup,
 * web-02 approved but silent for three hours, db-01 pending, old-01 revoked; ssh sessions of every
 * outcome, a week of daily attempts, security events and one quarantined message.
 */
export async function seedFleet(db: Kysely<Database>, now: Date): Promise<void> {
  const at = (ms: number) => new Date(now.getTime() - ms);
  await ensurePartitions(db, at(8 * DAY_MS), new Date(now.getTime() + DAY_MS));
  await db
    .insertInto('hosts')
    .values([
      {
        host_id: 'web-01',
        status: 'approved',
        hostname: 'web-01.example.net',
        addresses: ['10.0.0.11', '2001:db8::11'],
        first_seen: at(30 * DAY_MS),
        last_seen: at(20_000),
        approved_at: at(30 * DAY_MS),
      },
      {
        host_id: 'web-02',
        status: 'approved',
        hostname: 'web-02.example.net',
        addresses: ['10.0.0.12'],
        first_seen: at(30 * DAY_MS),
        last_seen: at(3 * 3_600_000),
        approved_at: at(30 * DAY_MS),
      },
      {
        host_id: 'db-01',
        status: 'pending',
        hostname: 'db-01.example.net',
        addresses: ['10.0.0.21'],
        first_seen: at(600_000),
        last_seen: at(600_000),
      },
      {
        host_id: 'old-01',
        status: 'revoked',
        hostname: null,
        addresses: [],
        first_seen: at(90 * DAY_MS),
        last_seen: at(40 * DAY_MS),
        revoked_at: at(40 * DAY_MS),
      },
    ])
    .execute();
  await db
    .insertInto('host_keys')
    .values([
      { host_id: 'web-01', key_id: 'k-web-01', public_key: Buffer.alloc(32, 1), status: 'approved' },
      { host_id: 'db-01', key_id: 'k-db-01', public_key: Buffer.alloc(32, 2), status: 'pending' },
    ])
    .execute();

  // web-01: two hours at 10 s; cpu climbs 10 → 81.9, memory steady 40.
  await sql`
    INSERT INTO host_stats (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes, mem_available_bytes,
                            mem_used_percent, swap_total_bytes, swap_free_bytes, swap_used_percent, load1, load5, load15,
                            uptime_seconds, processes, disk_max_used_percent, detail, message_id)
    SELECT 'web-01', ${now}::timestamptz - (720 - i) * interval '10 seconds', 'boot-1', i, 4, 10 + i / 10.0, 8589934592, 5153960755,
           40, 1073741824, 1073741824, 0, 0.5, 0.4, 0.3, 86400 + i * 10, 120, 41.5,
           '{"disks":[{"mount":"/","usedPercent":41.5}]}', 'web-01-boot-1-' || i
      FROM generate_series(0, 719) AS i`.execute(db);
  await updateLatest(db, 'web-01');
  for (let i = 0; i < 6; i++) await insertStats(db, 'web-02', at(3 * 3_600_000 + i * 10_000), 55, 70, i);
  // Hourly rollup of web-01 for the last three days: cpu average 20, max 90.
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  await db
    .insertInto('host_stats_hourly')
    .values(
      Array.from({ length: 72 }, (_, i) => ({
        host_id: 'web-01',
        hour: new Date(hour - (72 - i) * 3_600_000),
        samples: 360,
        cpu_samples: 360,
        cpu_sum: 360 * 20,
        cpu_max: 90,
        mem_sum: 360 * 40,
        mem_max: 45,
        swap_sum: 0,
        swap_max: 0,
        load1_sum: 360 * 0.5,
        load1_max: 2,
        disk_max: 41.5,
      })),
    )
    .execute();

  await insertSession(db, {
    host: 'web-01',
    session: 's1',
    start: at(3_600_000),
    source: '203.0.113.5',
    users: ['root'],
    failures: 3,
  });
  await insertSession(db, {
    host: 'web-01',
    session: 's2',
    start: at(3_000_000),
    source: '203.0.113.5',
    users: ['admin', 'oracle'],
    invalid: 2,
  });
  await insertSession(db, {
    host: 'web-01',
    session: 's3',
    start: at(2_400_000),
    source: '198.51.100.7',
    users: ['alice'],
    accepted: 1,
  });
  await insertSession(db, {
    host: 'web-01',
    session: 's4',
    start: at(1_800_000),
    source: '192.0.2.9',
    users: [],
  });
  await insertSession(db, {
    host: 'web-02',
    session: 's5',
    start: at(1_200_000),
    source: '203.0.113.5',
    users: ['root'],
    failures: 6,
  });
  await insertSession(db, {
    host: 'web-02',
    session: 's6',
    start: at(10 * DAY_MS),
    source: '203.0.113.99',
    users: ['old'],
    failures: 1,
  });

  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  await db
    .insertInto('ssh_daily')
    .values(
      Array.from({ length: 7 }, (_, i) => ({
        host_id: 'web-01',
        day: new Date(today - i * DAY_MS).toISOString().slice(0, 10),
        attempts: 10 * (i + 1),
        failures: 8 * (i + 1),
        invalid_users: i,
        accepted: 1,
        sources: i + 2,
      })),
    )
    .execute();
  await db
    .insertInto('ssh_daily')
    .values({
      host_id: 'web-02',
      day: new Date(today).toISOString().slice(0, 10),
      attempts: 3,
      failures: 6,
      invalid_users: 0,
      accepted: 0,
      sources: 1,
    })
    .execute();

  await db
    .insertInto('security_events')
    .values([
      {
        host_id: 'web-01',
        event_id: 'e1',
        time: at(900_000),
        type: 'sudo',
        log_host: 'web-01',
        username: 'alice',
        target: 'root',
        command: '/usr/bin/systemctl restart nginx',
        tty: 'pts/0',
        allowed: true,
        detail: null,
        message_id: 'm-e1',
      },
      {
        host_id: 'web-01',
        event_id: 'e2',
        time: at(600_000),
        type: 'user_added',
        log_host: 'web-01',
        username: 'root',
        target: 'mallory',
        command: null,
        tty: null,
        allowed: null,
        detail: 'useradd',
        message_id: 'm-e2',
      },
      {
        host_id: 'web-02',
        event_id: 'e3',
        time: at(300_000),
        type: 'sudo',
        log_host: 'web-02',
        username: 'bob',
        target: 'root',
        command: '/bin/sh',
        tty: 'pts/1',
        allowed: false,
        detail: null,
        message_id: 'm-e3',
      },
    ])
    .execute();

  await db
    .insertInto('alerter_alerts')
    .values([
      {
        series_key: 'cpu:web-01',
        rule_key: 'r1:cpu',
        host_id: 'web-01',
        type: 'cpu',
        label: null,
        state: 'firing',
        since: at(900_000),
        fired_at: at(600_000),
        last_value: 81.9,
        last_time: at(10_000),
        notified_at: at(600_000),
        notifications: 1,
      },
      {
        series_key: 'memory:web-02',
        rule_key: 'r2:memory',
        host_id: 'web-02',
        type: 'memory',
        label: null,
        state: 'pending',
        since: at(60_000),
        fired_at: null,
        last_value: 70,
        last_time: at(60_000),
        notified_at: null,
        notifications: 0,
      },
    ])
    .execute();
  await db
    .insertInto('alerter_outbox')
    .values([
      {
        message_id: '<a1@hostwatch>',
        kind: 'alert',
        recipients: ['ops@example.net'],
        subject: '[hostwatch] FIRING cpu on web-01',
        body: '…',
        status: 'sent',
        created_at: at(600_000),
        sent_at: at(599_000),
      },
      {
        message_id: '<a2@hostwatch>',
        kind: 'security',
        recipients: ['ops@example.net'],
        subject: '[hostwatch] sudo on web-01',
        body: '…',
        status: 'failed',
        attempts: 5,
        last_error: '550 mailbox unavailable',
        created_at: at(500_000),
      },
    ])
    .execute();

  await db
    .insertInto('quarantine')
    .values({
      reason: 'unknown-key',
      detail: 'key k-evil is not enrolled',
      subject: 'hostwatch.evil-01.stats',
      host_id: 'evil-01',
      message_id: 'm-evil',
      stream_seq: 42,
      deliveries: 1,
      headers: JSON.stringify({ 'Hostwatch-Key': 'k-evil' }),
      data: Buffer.from('not really sealed'),
      data_bytes: 17,
    })
    .execute();
}
