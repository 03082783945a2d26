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
