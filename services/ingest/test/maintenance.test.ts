import { createTestDatabase } from '@hostwatch/testkit';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchStore, Maintenance, PartitionManager, silentLog } from '../src/index.js';
import { statsMessage } from './support/ingest-world.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 12, 30, 0);

let pool: pg.Pool;
beforeEach(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('maint'), max: 4 });
  await pool.query(`INSERT INTO hosts (host_id, status) VALUES ('web-01', 'approved')`);
});
afterEach(async () => {
  await pool.end();
});

async function partitions(): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'host_stats' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

describe('maintenance', () => {
  it('creates partitions ahead, drops whole partitions past retention and keeps the hourly rollup', async () => {
    const manager = new PartitionManager(pool);
    // Samples from 40 days ago (past a 30-day retention) and from this hour and the one before.
    const old = new BatchStore(pool, manager, {
      retentionDays: 30,
      quarantineMaxBytes: 0,
      now: () => NOW - 40 * DAY,
    });
    await old.commit({
      items: [1, 2]
        .map((i) => statsMessage('web-01', i, new Date(NOW - 40 * DAY + i * 1000)))
        .map((m) => ({ messageId: m.id, message: m.body })),
      quarantine: [],
      enrollments: [],
      pendingHosts: new Set(),
    });
    const store = new BatchStore(pool, manager, { retentionDays: 30, quarantineMaxBytes: 0, now: () => NOW });
    const recent = [10, 11, 12].map((i) => {
      const m = statsMessage('web-01', i, new Date(NOW - (i === 10 ? 3_600_000 : 60_000 * (i - 10))));
      return { messageId: m.id, message: { ...m.body, cpu: { ...m.body.cpu, usedPercent: i * 5 } } };
    });
    await store.commit({ items: recent, quarantine: [], enrollments: [], pendingHosts: new Set() });
    expect(await partitions()).toContain('host_stats_p20261014');

    const maintenance = new Maintenance(pool, manager, {
      retentionDays: 30,
      rollupRetentionDays: 400,
      quarantineRetentionDays: 30,
      partitionsAheadDays: 3,
      log: silentLog,
      now: () => NOW,
    });
    const report = await maintenance.runOnce();
    expect(report.ran).toBe(true);
    expect(report.droppedPartitions).toEqual([
      'host_stats_p20261014',
      'security_events_p20261014',
      'ssh_events_p20261014',
    ]);
    expect(await partitions()).toEqual([
      'host_stats_p20261122',
      'host_stats_p20261123',
      'host_stats_p20261124',
      'host_stats_p20261125',
      'host_stats_p20261126',
    ]);
    expect(
      await pool
        .query('SELECT seq FROM host_stats ORDER BY seq')
        .then((r) => r.rows.map((x: { seq: string }) => x.seq)),
    ).toEqual(['10', '11', '12']);

    const hourly = await pool.query<{ hour: Date; samples: number; cpu_avg: number; cpu_max: number }>(
      `SELECT hour, samples, cpu_sum / cpu_samples AS cpu_avg, cpu_max FROM host_stats_hourly ORDER BY hour`,
    );
    expect(hourly.rows).toEqual([
      { hour: new Date(Date.UTC(2026, 10, 23, 11)), samples: 1, cpu_avg: 50, cpu_max: 50 },
      { hour: new Date(Date.UTC(2026, 10, 23, 12)), samples: 2, cpu_avg: 57.5, cpu_max: 60 },
    ]);
    // Running again changes nothing.
    const again = await maintenance.runOnce();
    expect(again.droppedPartitions).toEqual([]);
    expect((await pool.query('SELECT count(*)::int AS n FROM host_stats_hourly')).rows[0]).toEqual({ n: 2 });
  });

  it('keeps the 5-minute rollup of the recent window, folds late samples in, catches up after missed runs and expires it', async () => {
    const manager = new PartitionManager(pool);
    const at = (ms: number) => async (seq: number, cpu: number) => {
      const store = new BatchStore(pool, manager, {
        retentionDays: 30,
        quarantineMaxBytes: 0,
        now: () => ms,
      });
      const m = statsMessage('web-01', seq, new Date(ms));
      await store.commit({
        items: [{ messageId: m.id, message: { ...m.body, cpu: { ...m.body.cpu, usedPercent: cpu } } }],
        quarantine: [],
        enrollments: [],
        pendingHosts: new Set(),
      });
    };
    const maintenanceAt = (ms: number) =>
      new Maintenance(pool, manager, {
        retentionDays: 30,
        rollupRetentionDays: 400,
        quarantineRetentionDays: 30,
        partitionsAheadDays: 1,
        log: silentLog,
        now: () => ms,
      });
    const MIN = 60_000;
    // 12:10, 12:12 and 12:23; 12:29:30 is in the slot that has not ended.
    await at(NOW - 20 * MIN)(1, 10);
    await at(NOW - 18 * MIN)(2, 30);
    await at(NOW - 7 * MIN)(3, 50);
    await at(NOW - 30_000)(4, 70);
    const rollup = async () =>
      (
        await pool.query(
          `SELECT bucket, samples, cpu_sum / cpu_samples AS cpu_avg, cpu_max FROM host_stats_5m ORDER BY bucket`,
        )
      ).rows;
    const coverage = async () =>
      (await pool.query(`SELECT covered_from AS "from", covered_until AS until FROM host_stats_5m_coverage`))
        .rows[0];
    const first = await maintenanceAt(NOW).runOnce();
    expect(first.fiveMinuteRows).toBe(2);
    expect(await rollup()).toEqual([
      { bucket: new Date(NOW - 20 * MIN), samples: 2, cpu_avg: 20, cpu_max: 30 },
      { bucket: new Date(NOW - 10 * MIN), samples: 1, cpu_avg: 50, cpu_max: 50 },
    ]);
    expect(await coverage()).toEqual({ from: new Date(NOW - 30 * MIN), until: new Date(NOW - 5 * MIN) });

    // A sample of 12:21 arrives late, within the window: the next run counts it.
    await at(NOW - 9 * MIN)(5, 90);
    await maintenanceAt(NOW + MIN).runOnce();
    expect((await rollup())[1]).toEqual({
      bucket: new Date(NOW - 10 * MIN),
      samples: 2,
      cpu_avg: 70,
      cpu_max: 90,
    });

    // Maintenance stopped for two hours: the next run starts where the rollup stopped, so no slot is missing.
    await at(NOW + 30 * MIN)(6, 40);
    await maintenanceAt(NOW + 2 * 60 * MIN).runOnce();
    expect((await rollup()).map((r) => [r.bucket, r.samples])).toEqual([
      [new Date(NOW - 20 * MIN), 2],
      [new Date(NOW - 10 * MIN), 2],
      [new Date(NOW - 5 * MIN), 1],
      [new Date(NOW + 30 * MIN), 1],
    ]);
    expect(await coverage()).toEqual({ from: new Date(NOW - 30 * MIN), until: new Date(NOW + 115 * MIN) });

    // Past the raw retention the rollup goes too, and its coverage starts at the cutoff.
    const late = NOW + 31 * DAY;
    const expired = await maintenanceAt(late).runOnce();
    expect(expired.deleted['host_stats_5m']).toBe(4);
    expect(await rollup()).toEqual([]);
    expect((await coverage()).from).toEqual(new Date(late - 30 * DAY));
  });

  it('lets one replica at a time run it', async () => {
    const a = new Maintenance(pool, new PartitionManager(pool), {
      retentionDays: 30,
      rollupRetentionDays: 400,
      quarantineRetentionDays: 30,
      partitionsAheadDays: 1,
      log: silentLog,
      now: () => NOW,
    });
    const holder = await pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [0x686f7374]);
      expect((await a.runOnce()).ran).toBe(false);
      await holder.query('SELECT pg_advisory_unlock($1)', [0x686f7374]);
      expect((await a.runOnce()).ran).toBe(true);
    } finally {
      holder.release();
    }
  });
});
