import { rollupFiveMinuteStats } from '@hostwatch/ingest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesRows, type SeriesRow } from '../src/queries/stats-series.js';
import { READ_TOKEN, bearer, startTestApi, type TestApi } from './support/test-api.js';
import { makeSamplesUneven } from './support/uneven-samples.js';

// The series' points are written as JSON by PostgreSQL. Each response here is compared, byte for
// byte, with what the route sent before: the same buckets read as rows by the driver, mapped to
// objects and serialized in the schema's order.

let api: TestApi;
let client: pg.Client;
beforeAll(async () => {
  api = await startTestApi();
  client = new pg.Client({ connectionString: api.url });
  await client.connect();
  await makeSamplesUneven(client);
  // One hour whose samples had no cpu, and one with sums that do not divide evenly.
  await client.query(
    `UPDATE host_stats_hourly SET cpu_samples = 0, cpu_sum = 0, cpu_max = NULL
      WHERE host_id = 'web-01' AND hour = (SELECT max(hour) FROM host_stats_hourly WHERE host_id = 'web-01')`,
  );
  await client.query(
    `UPDATE host_stats_hourly SET mem_sum = mem_sum + 1 / 3.0, load1_sum = 1 / 7.0
      WHERE host_id = 'web-01' AND hour = (SELECT min(hour) FROM host_stats_hourly WHERE host_id = 'web-01')`,
  );
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

/** The body as the route built it before: rows parsed by the driver, objects, JSON.stringify. */
async function previousBody(
  hostId: string,
  from: Date,
  to: Date,
  stepSeconds: number,
  origin: Date,
): Promise<string> {
  const { source, rows: query } = seriesRows(hostId, from, to, stepSeconds, origin);
  const { rows } = await query.execute(api.db);
  return JSON.stringify({
    hostId,
    from: from.toISOString(),
    to: to.toISOString(),
    stepSeconds,
    source,
    points: rows.map((r: SeriesRow) => ({
      time: r.bucket.toISOString(),
      samples: r.samples,
      cpuAvg: r.cpu_avg === null ? null : Number(r.cpu_avg),
      cpuMax: r.cpu_max,
      memAvg: Number(r.mem_avg),
      memMax: r.mem_max,
      swapAvg: Number(r.swap_avg),
      swapMax: r.swap_max,
      load1Avg: Number(r.load1_avg),
      load1Max: r.load1_max,
      diskMax: r.disk_max,
    })),
  });
}

async function get(query: string, hostId = 'web-01') {
  return api.app.inject({
    method: 'GET',
    url: `/api/v1/hosts/${hostId}/stats?${query}`,
    headers: bearer(READ_TOKEN),
  });
}

describe('a series written as JSON by PostgreSQL', () => {
  it('is byte for byte the previous body for a day from the 5-minute rollup with raw edges', async () => {
    const from = new Date(api.now.getTime() - 86_400_000);
    const res = await get(`from=${from.toISOString()}&to=${api.now.toISOString()}&buckets=300`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json() as { source: string; points: { cpuAvg: number | null; diskMax: number | null }[] };
    expect(body.source).toBe('rollup-5m');
    expect(body.points.length).toBeGreaterThan(20);
    expect(body.points.some((p) => p.diskMax === null)).toBe(true);
    expect(res.body).toBe(await previousBody('web-01', from, api.now, 300, new Date(0)));
  });

  it('is byte for byte the previous body for raw buckets and for the hourly rollup, nulls included', async () => {
    const from = new Date(api.now.getTime() - 100 * 60_000 - 1234);
    const raw = await get(`from=${from.toISOString()}&to=${api.now.toISOString()}&step=420`);
    expect(raw.statusCode).toBe(200);
    expect(raw.json()).toMatchObject({ source: 'raw' });
    expect(raw.body).toBe(await previousBody('web-01', from, api.now, 420, from));

    const week = new Date(api.now.getTime() - 4 * 86_400_000);
    const hourly = await get(`from=${week.toISOString()}&to=${api.now.toISOString()}&step=3600`);
    expect(hourly.statusCode).toBe(200);
    const body = hourly.json() as { source: string; points: { cpuAvg: number | null }[] };
    expect(body.source).toBe('hourly');
    expect(body.points.some((p) => p.cpuAvg === null)).toBe(true);
    expect(hourly.body).toBe(await previousBody('web-01', week, api.now, 3600, week));
  });

  it('is an empty array for a known host without samples in the range, and 404 for an unknown host', async () => {
    const from = new Date(api.now.getTime() - 6 * 86_400_000);
    const to = new Date(api.now.getTime() - 5 * 86_400_000);
    const range = `from=${from.toISOString()}&to=${to.toISOString()}&step=600`;
    const empty = await get(range);
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ points: [] });
    expect(empty.body).toBe(await previousBody('web-01', from, to, 600, from));
    expect((await get(range, 'nope-01')).statusCode).toBe(404);
  });

  it('still rejects an unknown query parameter', async () => {
    const res = await get('buckets=300&bukets=3');
    expect(res.statusCode).toBe(400);
  });
});
