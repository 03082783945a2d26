import { createTestDatabase } from '@hostwatch/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchStore, PartitionManager, type StoreBatch } from '../src/index.js';
import { statsMessage } from './support/ingest-world.js';

let pool: pg.Pool;
let store: BatchStore;
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const HOSTS = ['web-01', 'web-02', 'web-03', 'web-04', 'web-05', 'web-06', 'web-07', 'web-08'];

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('latest'), max: 8 });
  await pool.query(`INSERT INTO hosts (host_id, status) SELECT unnest($1::text[]), 'approved'`, [HOSTS]);
  // The clock is the day of the fixed samples, so retention never drops them whenever this runs.
  store = new BatchStore(pool, new PartitionManager(pool), {
    retentionDays: 30,
    quarantineMaxBytes: 1024,
    now: () => T0 + 3_600_000,
  });
});
afterAll(async () => {
  await pool.end();
});

/** Sample `seq` of `host`, taken `seq` x 10 s after T0, with its cpu telling which one it is. */
function sample(host: string, seq: number, bootId = 'boot-1') {
  const m = statsMessage(host, seq, new Date(T0 + seq * 10_000));
  const body = { ...m.body, bootId, cpu: { ...m.body.cpu, usedPercent: seq } };
  return { messageId: `${m.id}-${bootId}`, message: body };
}

function batch(...items: ReturnType<typeof sample>[]): StoreBatch {
  return { items, quarantine: [], enrollments: [], pendingHosts: new Set() };
}

async function latest(host: string) {
  const { rows } = await pool.query(
    `SELECT seq::int, boot_id, time, cpu_used_percent, detail->'disks'->0->>'mount' AS mount, received_at
       FROM host_latest WHERE host_id = $1`,
    [host],
  );
  return rows[0];
}

describe('host_latest', () => {
  it('holds the sample with the greatest time, whatever order and however often samples arrive', async () => {
    await store.commit(batch(sample('web-01', 3)));
    expect(await latest('web-01')).toMatchObject({
      seq: 3,
      time: new Date(T0 + 30_000),
      cpu_used_percent: 3,
      mount: '/',
    });
    const first = await latest('web-01');

    // A late sample, and the latest one again (re-delivery): nothing changes, not even received_at.
    await store.commit(batch(sample('web-01', 1)));
    await store.commit(batch(sample('web-01', 3), sample('web-01', 2)));
    expect(await latest('web-01')).toEqual(first);

    // In one batch the newest wins wherever it stands; a later batch with older samples does not undo it.
    await store.commit(batch(sample('web-01', 6), sample('web-02', 1), sample('web-01', 4)));
    await store.commit(batch(sample('web-01', 5)));
    expect(await latest('web-01')).toMatchObject({ seq: 6, cpu_used_percent: 6 });
    expect(await latest('web-02')).toMatchObject({ seq: 1 });
    expect(await pool.query('SELECT count(*)::int AS n FROM host_stats').then((r) => r.rows[0].n)).toBe(7);
  });

  it('breaks a tie of sample times by boot id, the same in any order', async () => {
    await store.commit(batch(sample('web-03', 7, 'boot-b')));
    await store.commit(batch(sample('web-03', 7, 'boot-a')));
    await store.commit(batch(sample('web-04', 7, 'boot-a'), sample('web-04', 7, 'boot-b')));
    expect(await latest('web-03')).toMatchObject({ seq: 7, boot_id: 'boot-b' });
    expect(await latest('web-04')).toMatchObject({ seq: 7, boot_id: 'boot-b' });
  });

  it('ends at every host newest sample when batches over the same hosts commit concurrently', async () => {
    const hosts = HOSTS.slice(4);
    // Twelve batches, each with every host in a different order and a different set of samples.
    const batches = Array.from({ length: 12 }, (_, b) =>
      batch(
        ...(b % 2 === 0 ? hosts : [...hosts].reverse()).flatMap((host, h) => [
          sample(host, 10 + ((b * 7 + h * 3) % 40)),
          sample(host, 10 + ((b * 11 + h * 5) % 40)),
        ]),
      ),
    );
    const outcomes = await Promise.allSettled(batches.map((b) => store.commit(b)));
    // A deadlock between two batches would reject one of them here.
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const { rows } = await pool.query(
      `SELECT l.host_id, l.seq::int AS latest, (SELECT max(seq)::int FROM host_stats s WHERE s.host_id = l.host_id) AS stored
         FROM host_latest l WHERE l.host_id = ANY($1::text[]) ORDER BY 1`,
      [hosts],
    );
    expect(rows).toHaveLength(hosts.length);
    for (const row of rows) expect(row.latest).toBe(row.stored);
  });
});
