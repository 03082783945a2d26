import { rollupFiveMinuteStats } from '@hostwatch/ingest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_TOKEN, bearer, startTestApi, type TestApi } from './support/test-api.js';

// web-01 has two hours of 10 s samples ending at `now` (seed-fleet.ts). The 5-minute rollup is
// filled by ingest's own maintenance function up to 20 minutes before now, so a series has whole
// slots from the rollup, raw edges at both ends and raw samples past the rollup's high-water mark.

let api: TestApi;
let client: pg.Client;
const SLOT = 300_000;
beforeAll(async () => {
  api = await startTestApi();
  client = new pg.Client({ connectionString: api.url });
  await client.connect();
  // Irregular values, a sample without cpu, and a gap, so that sums, counts and maxima all matter.
  await client.query(
    `UPDATE host_stats SET cpu_used_percent = CASE WHEN seq % 37 = 0 THEN NULL ELSE (seq * 7919 % 1000) / 10.0 END,
            mem_used_percent = 30 + (seq * 104729 % 400) / 10.0, load1 = (seq % 13) / 3.0,
            disk_max_used_percent = 40 + seq % 9
      WHERE host_id = 'web-01'`,
  );
  await client.query(`DELETE FROM host_stats WHERE host_id = 'web-01' AND seq BETWEEN 300 AND 340`);
  await rollupFiveMinuteStats(
    client,
    new Date(api.now.getTime() - 3 * 3_600_000),
    new Date(api.now.getTime() - 20 * 60_000),
  );
});
afterAll(async () => {
  await client?.end();
  await api?.close();
});

interface Point {
  time: string;
  samples: number;
  cpuAvg: number | null;
  cpuMax: number | null;
  memAvg: number;
  memMax: number;
  swapAvg: number;
  swapMax: number;
  load1Avg: number;
  load1Max: number;
  diskMax: number | null;
}

/** The series computed from the raw samples alone. */
async function fromRaw(from: Date, to: Date, stepSeconds: number, origin: Date): Promise<Point[]> {
  const { rows } = await client.query(
    `SELECT date_bin(make_interval(secs => $3), time, $4) AS bucket, count(*)::int AS samples,
            avg(cpu_used_percent::float8) AS cpu_avg, max(cpu_used_percent) AS cpu_max,
            avg(mem_used_percent::float8) AS mem_avg, max(mem_used_percent) AS mem_max,
            avg(swap_used_percent::float8) AS swap_avg, max(swap_used_percent) AS swap_max,
            avg(load1::float8) AS load1_avg, max(load1) AS load1_max, max(disk_max_used_percent) AS disk_max
       FROM host_stats WHERE host_id = 'web-01' AND time >= $1 AND time < $2 GROUP BY 1 ORDER BY 1`,
    [from, to, stepSeconds, origin],
  );
  return rows.map((r) => ({
    time: r.bucket.toISOString(),
    samples: r.samples,
    cpuAvg: r.cpu_avg,
    cpuMax: r.cpu_max,
    memAvg: r.mem_avg,
    memMax: r.mem_max,
    swapAvg: r.swap_avg,
    swapMax: r.swap_max,
    load1Avg: r.load1_avg,
    load1Max: r.load1_max,
    diskMax: r.disk_max,
  }));
}

function expectSame(actual: Point[], expected: Point[]): void {
  expect(
    actual.map((p) => [p.time, p.samples, p.cpuMax, p.memMax, p.swapMax, p.load1Max, p.diskMax]),
  ).toEqual(expected.map((p) => [p.time, p.samples, p.cpuMax, p.memMax, p.swapMax, p.load1Max, p.diskMax]));
  actual.forEach((p, i) => {
    const e = expected[i]!;
    for (const key of ['cpuAvg', 'memAvg', 'swapAvg', 'load1Avg'] as const) {
      if (e[key] === null) expect(p[key]).toBeNull();
      else expect(p[key]).toBeCloseTo(e[key]!, 9);
    }
  });
}

async function series(query: string) {
  const res = await api.app.inject({
    method: 'GET',
    url: `/api/v1/hosts/web-01/stats?${query}`,
    headers: bearer(READ_TOKEN),
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { stepSeconds: number; source: string; points: Point[] };
}

describe('a series over the 5-minute rollup', () => {
  it('is what the raw samples give, for buckets on the clock with raw edges and raw samples past the rollup', async () => {
    const from = new Date(api.now.getTime() - 2 * 3_600_000 - 47_000);
    const to = api.now;
    const body = await series(`from=${from.toISOString()}&to=${to.toISOString()}&buckets=24`);
    expect(body).toMatchObject({ stepSeconds: 300, source: 'rollup-5m' });
    expect(body.points.length).toBeGreaterThan(20);
    expectSame(body.points, await fromRaw(from, to, 300, new Date(0)));
  });

  it('is what the raw samples give for an explicit step of whole slots from a slot boundary', async () => {
    const from = new Date(Math.floor((api.now.getTime() - 100 * 60_000) / SLOT) * SLOT);
    const to = new Date(api.now.getTime() - 61_000);
    const body = await series(`from=${from.toISOString()}&to=${to.toISOString()}&step=900`);
    expect(body).toMatchObject({ stepSeconds: 900, source: 'rollup-5m' });
    expectSame(body.points, await fromRaw(from, to, 900, from));
  });

  it('reads raw samples when buckets cut 5-minute slots: a step that is not whole slots, or a range off the boundary', async () => {
    const aligned = new Date(Math.floor((api.now.getTime() - 100 * 60_000) / SLOT) * SLOT);
    const odd = await series(`from=${aligned.toISOString()}&to=${api.now.toISOString()}&step=420`);
    expect(odd.source).toBe('raw');
    expectSame(odd.points, await fromRaw(aligned, api.now, 420, aligned));
    const off = new Date(aligned.getTime() + 130_000);
    const shifted = await series(`from=${off.toISOString()}&to=${api.now.toISOString()}&step=600`);
    expect(shifted.source).toBe('raw');
    expectSame(shifted.points, await fromRaw(off, api.now, 600, off));
  });
});
