import { Migrator, sql } from 'kysely';
import { startTestPostgres } from '@hostwatch/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, knownMigrations, migrateToLatest } from '../src/index.js';
import { MIGRATIONS } from '../src/migrations/index.js';
import type { TestPostgres } from '@hostwatch/testkit';

let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await startTestPostgres();
});
afterAll(async () => {
  await cluster.dispose();
});

describe('migrateToLatest', () => {
  it('applies every migration once, in order, and then nothing', async () => {
    const url = await cluster.createDatabase('fresh');
    const first = await migrateToLatest(url);
    expect(first.map((r) => r.migrationName)).toEqual(knownMigrations());
    expect(first.every((r) => r.status === 'Success')).toBe(true);
    expect(await migrateToLatest(url)).toEqual([]);

    const db = createDb(url);
    try {
      await db.insertInto('hosts').values({ host_id: 'web-01', addresses: ['10.0.0.5'] }).execute();
      const host = await db.selectFrom('hosts').selectAll().executeTakeFirstOrThrow();
      expect(host).toMatchObject({ host_id: 'web-01', status: 'pending', addresses: ['10.0.0.5'] });
      await expect(
        db.insertInto('host_keys').values({ host_id: 'web-01', key_id: 'k', public_key: Buffer.alloc(5), status: 'approved' }).execute(),
      ).rejects.toThrow(/check constraint/);
    } finally {
      await db.destroy();
    }
  });

  it('fills host_latest with each host newest sample stored before it', async () => {
    const url = await cluster.createDatabase('latest');
    const db = createDb(url);
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
      await migrator.migrateTo('2026-11-23T2200_query-indexes');
      await sql`CREATE TABLE host_stats_p20261123 PARTITION OF host_stats
                  FOR VALUES FROM ('2026-11-23 00:00:00+00') TO ('2026-11-24 00:00:00+00')`.execute(db);
      await sql`INSERT INTO hosts (host_id) VALUES ('web-01'), ('web-02'), ('quiet-01')`.execute(db);
      // Written out of time order: the newest sample of web-01 is neither the first nor the last row.
      await sql`
        INSERT INTO host_stats (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes,
          mem_available_bytes, mem_used_percent, swap_total_bytes, swap_free_bytes, swap_used_percent, load1, load5,
          load15, uptime_seconds, detail, message_id)
        SELECT host, '2026-11-23 10:00:00+00'::timestamptz + seq * interval '10 seconds', 'b', seq, 2, seq, 1, 1, 1, 1, 1,
               1, 1, 1, 1, 1, '{}', host || '-' || seq
          FROM (VALUES ('web-01', 2), ('web-01', 9), ('web-01', 5), ('web-02', 1)) AS v(host, seq)`.execute(db);
      await migrateToLatest(url);
      const { rows } = await sql<{ host_id: string; seq: string; cpu_used_percent: number }>`
        SELECT host_id, seq, cpu_used_percent FROM host_latest ORDER BY host_id`.execute(db);
      expect(rows).toEqual([
        { host_id: 'web-01', seq: '9', cpu_used_percent: 9 },
        { host_id: 'web-02', seq: '1', cpu_used_percent: 1 },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('moves the alerter\'s waiting samples into each host\'s progress row, and back on the way down', async () => {
    const url = await cluster.createDatabase('progress');
    const db = createDb(url);
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
      await migrator.migrateTo('2026-11-23T2340_host-stats-5m-series-index');
      const sample = {
        hostname: 'web-01.example.com',
        addresses: ['10.0.0.5'],
        cpu: { count: 2, usedPercent: 12.5, cores: [] },
        memory: { usedPercent: 91 },
        swap: { totalBytes: 1000, usedPercent: 3 },
        load: [0.5, 0.25, 0.125],
        disks: [{ mount: '/', usedPercent: 50 }, { mount: '/var', usedPercent: 97 }],
      };
      await sql`INSERT INTO alerter_hosts (host_id, hostname, addresses, last_stats_time, applied_until)
                  VALUES ('web-01', 'web-01.example.com', '{10.0.0.5}', '2026-11-23 10:00:10+00', '2026-11-23 10:00:00+00'),
                         ('web-02', 'web-02', '{}', '2026-11-23 09:00:00+00', '2026-11-23 09:00:00+00')`.execute(db);
      await sql`INSERT INTO alerter_samples (host_id, message_id, time, received_at, sample)
                  VALUES ('web-01', 'web-01:b:2', '2026-11-23 10:00:10+00', '2026-11-23 10:00:11+00', ${JSON.stringify(sample)})`.execute(db);
      await migrator.migrateTo('2026-11-24T0100_alerter-host-progress');
      const { rows } = await sql<{ host_id: string; waiting: string; waiting_since: Date | null; applied_until: Date }>`
        SELECT host_id, waiting, waiting_since, applied_until FROM alerter_host_progress ORDER BY host_id`.execute(db);
      expect(rows.map((r) => ({ ...r, waiting: JSON.parse(r.waiting) as unknown }))).toEqual([
        {
          host_id: 'web-01',
          waiting: [['web-01:b:2', Date.parse('2026-11-23T10:00:10Z'), Date.parse('2026-11-23T10:00:11Z'),
            ['web-01.example.com', ['10.0.0.5'], 2, 12.5, [], 91, 1000, 3, [0.5, 0.25, 0.125], [['/', 50], ['/var', 97]]]]],
          waiting_since: new Date('2026-11-23T10:00:11Z'),
          applied_until: new Date('2026-11-23T10:00:00Z'),
        },
        { host_id: 'web-02', waiting: [], waiting_since: null, applied_until: new Date('2026-11-23T09:00:00Z') },
      ]);

      await migrator.migrateTo('2026-11-23T2340_host-stats-5m-series-index');
      const back = await sql<{ sample: unknown; last_stats_time: Date }>`
        SELECT s.sample, h.last_stats_time FROM alerter_samples s JOIN alerter_hosts h USING (host_id)`.execute(db);
      expect(back.rows).toEqual([{ sample, last_stats_time: new Date('2026-11-23T10:00:10Z') }]);
    } finally {
      await db.destroy();
    }
  });

  it('rewrites the alerter\'s waiting samples as a line each, in order, and back into JSON on the way down', async () => {
    const url = await cluster.createDatabase('waiting_lines');
    const db = createDb(url);
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
      await migrator.migrateTo('2026-11-24T0100_alerter-host-progress');
      // As the alerter wrote them before: a host with two samples (the later one first), one host with none.
      const first = ['web-01.example.com', ['10.0.0.5', 'fe80::1'], 2, 12.5, [], 91, 1000, 3, [0.5, 0.25, 0.125], [['/', 50], ['/var "x"\t', 97]]];
      const second = ['web-01.example.com', ['10.0.0.5', 'fe80::1'], 2, null, [10, 20], 20, 0, 0, [1, 1, 1], []];
      const json = JSON.stringify([['web-01:b:3', 1795435220000, 1795435221000, second], ['web-01:b:2', 1795435210000, 1795435221500, first]]);
      await sql`INSERT INTO alerter_host_progress (host_id, waiting) VALUES ('web-01', ${json}), ('web-02', '[]')`.execute(db);
      await migrateToLatest(url);
      const rows = async () => (await sql<{ host_id: string; waiting: string }>`SELECT host_id, waiting FROM alerter_host_progress ORDER BY host_id`.execute(db)).rows;
      expect(await rows()).toEqual([
        { host_id: 'web-01', waiting: `web-01:b:3\t1795435220000\t1795435221000\t${JSON.stringify(second)}\nweb-01:b:2\t1795435210000\t1795435221500\t${JSON.stringify(first)}` },
        { host_id: 'web-02', waiting: '' },
      ]);
      await sql`INSERT INTO alerter_host_progress (host_id) VALUES ('web-03')`.execute(db);

      await migrator.migrateTo('2026-11-24T0100_alerter-host-progress');
      expect((await rows()).map((r) => ({ ...r, waiting: JSON.parse(r.waiting) as unknown }))).toEqual([
        { host_id: 'web-01', waiting: JSON.parse(json) },
        { host_id: 'web-02', waiting: [] },
        { host_id: 'web-03', waiting: [] },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('names the migration that failed and keeps the database error', async () => {
    const url = await cluster.createDatabase('clash');
    const db = createDb(url);
    await sql`CREATE TABLE hosts (x int)`.execute(db);
    await db.destroy();
    await expect(migrateToLatest(url)).rejects.toThrow(/migration 2026-11-23T1900_hosts-and-keys failed: .*already exists/);
  });

  it('fails with a connection error when the server is unreachable', async () => {
    await expect(migrateToLatest('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow();
  });
});
