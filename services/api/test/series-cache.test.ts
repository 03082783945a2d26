import { rollupFiveMinuteStats } from '@hostwatch/ingest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesPointsJson, seriesRows } from '../src/queries/stats-series.js';
import { chooseStep } from '../src/routes/host-stats.js';
import { SeriesBucketCache, type CachedBuckets } from '../src/series/series-bucket-cache.js';
import { READ_TOKEN, bearer, startTestApi, type TestApi } from './support/test-api.js';
import { makeSamplesUneven } from './support/uneven-samples.js';

// The API keeps whole buckets of the 5-minute rollup per host. Every response here is compared, byte
// for byte, with the uncached computation (the statement the route ran before the cache, with the
// same envelope) on the same database at the same moment: cold, warm, after new samples, after a
// late sample, and after maintenance wrote the rollup again.

let api: TestApi;
let client: pg.Client;
const SLOT = 300_000;
const MINUTE = 60_000;

beforeAll(async () => {
  api = await startTestApi();
  client = new pg.Client({ connectionString: api.url });
  await client.connect();
  await makeSamplesUneven(client);
  await rollup(3 * 60 * MINUTE, 20 * MINUTE);
});
afterAll(async () => {
  await client?.end();
  await api?.close();
});

/** What ingest's maintenance does: the rollup from `fromAgo` to `toAgo` before now, written again. */
async function rollup(fromAgo: number, toAgo: number): Promise<void> {
  await rollupFiveMinuteStats(
    client,
    new Date(api.now.getTime() - fromAgo),
    new Date(api.now.getTime() - toAgo),
  );
}

/** A sample of web-01 at `time`, a copy of its first one with another cpu figure. */
async function insertSample(time: Date, cpu: number): Promise<void> {
  await client.query(
    `INSERT INTO host_stats
     SELECT (jsonb_populate_record(s, jsonb_build_object('time', $1::timestamptz, 'seq', s.seq + 100000 + $3::int,
               'message_id', s.message_id || '-extra-' || $3::int, 'cpu_used_percent', $2::real))).*
       FROM host_stats s WHERE host_id = 'web-01' ORDER BY time LIMIT 1`,
    [time, cpu, Math.round(time.getTime() / 1000) % 100_000],
  );
}

/** The body as the route computed it without a cache, read now. */
async function uncached(
  from: Date,
  to: Date,
  step?: number,
  buckets?: number,
  hostId = 'web-01',
): Promise<string> {
  const { stepSeconds, origin } = chooseStep(from, to, step, buckets);
  const { source, rows } = seriesRows(hostId, from, to, stepSeconds, origin);
  expect(source).toBe('rollup-5m');
  const {
    rows: [row],
  } = await seriesPointsJson(rows).execute(api.db);
  return (
    `{"hostId":"${hostId}","from":"${from.toISOString()}","to":"${to.toISOString()}",` +
    `"stepSeconds":${stepSeconds},"source":"${source}","points":${row?.points ?? '[]'}}`
  );
}

/** The route's body for `[from, to)`, checked against the uncached computation. */
async function expectUncached(from: Date, to: Date, step?: number, buckets?: number): Promise<string> {
  const query = `from=${from.toISOString()}&to=${to.toISOString()}&${step === undefined ? `buckets=${buckets}` : `step=${step}`}`;
  const res = await api.app.inject({
    method: 'GET',
    url: `/api/v1/hosts/web-01/stats?${query}`,
    headers: bearer(READ_TOKEN),
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.body).toBe(await uncached(from, to, step, buckets));
  return res.body;
}

/** Each way the dashboard and clients ask: buckets on the clock, an explicit step, a shifted range. */
async function expectEveryRange(): Promise<string[]> {
  const now = api.now.getTime();
  const aligned = new Date(Math.floor((now - 100 * MINUTE) / SLOT) * SLOT);
  return [
    await expectUncached(new Date(now - 2 * 60 * MINUTE - 47_000), api.now, undefined, 24),
    await expectUncached(new Date(now - 2 * 60 * MINUTE - 37_000), new Date(now - 5_000), undefined, 24),
    await expectUncached(aligned, new Date(now - 61_000), 900),
    await expectUncached(new Date(now - 86_400_000), api.now, undefined, 300),
  ];
}

describe('series from the cache of whole 5-minute-rollup buckets', () => {
  it('equals the uncached computation cold and warm', async () => {
    const cold = await expectEveryRange();
    const warm = await expectEveryRange();
    expect(warm).toEqual(cold);
    expect(JSON.parse(cold[0]!).points.length).toBeGreaterThan(20);
  });

  it('includes samples newer than the rollup and in the partial slot at the start as they arrive', async () => {
    await expectEveryRange();
    type Points = { points: { time: string; samples: number }[] };
    const before = JSON.parse((await expectEveryRange())[0]!) as Points;
    // In the partial slot at the start of the first range (which starts 2 h 47 s ago), read raw: a
    // sample a fixed time after the start fell, when a slot boundary came between the two, in a
    // whole slot read from the rollup, where it shows only after maintenance.
    const from = api.now.getTime() - 2 * 60 * MINUTE - 47_000;
    const early = new Date(from + Math.floor((Math.ceil(from / SLOT) * SLOT - from) / 2));
    const recent = new Date(api.now.getTime() - 4_000);
    await insertSample(recent, 12.5);
    await insertSample(early, 77.25);
    const after = JSON.parse((await expectEveryRange())[0]!) as Points;
    // Each in the bucket of its 5-minute slot, wherever the clock falls in a slot: the newest
    // bucket may be one the sample opens (absent before), and the first one may be partial.
    const slotOf = (t: Date) => new Date(Math.floor(t.getTime() / SLOT) * SLOT).toISOString();
    const samplesAt = (body: Points, slot: string) => body.points.find((p) => p.time === slot)?.samples ?? 0;
    expect(samplesAt(after, slotOf(recent))).toBe(samplesAt(before, slotOf(recent)) + 1);
    expect(samplesAt(after, slotOf(early))).toBe(samplesAt(before, slotOf(early)) + 1);
  });

  it('shows a late sample in a covered slot once maintenance writes the rollup again, as the uncached read does', async () => {
    await expectEveryRange();
    const late = new Date(Math.floor((api.now.getTime() - 60 * MINUTE) / SLOT) * SLOT + 3_000);
    const lateSlot = new Date(Math.floor(late.getTime() / SLOT) * SLOT).toISOString();
    const samplesAt = (body: string) =>
      (JSON.parse(body) as { points: { time: string; samples: number }[] }).points.find(
        (p) => p.time === lateSlot,
      )?.samples;
    const before = samplesAt((await expectEveryRange())[0]!);
    await insertSample(late, 99.5);
    // Not in the rollup yet: both reads take the slot from the rollup.
    expect(samplesAt((await expectEveryRange())[0]!)).toBe(before);
    await rollup(90 * MINUTE, 20 * MINUTE);
    expect(samplesAt((await expectEveryRange())[0]!)).toBe(before! + 1);
  });

  it('follows the coverage when maintenance moves it forward', async () => {
    await expectEveryRange();
    await rollup(30 * MINUTE, 4 * MINUTE);
    await expectEveryRange();
    await insertSample(new Date(api.now.getTime() - 2_000), 3.75);
    await expectEveryRange();
  });
});

describe('a series written from kept buckets', () => {
  it('has the headers, in the same order, of a series the route sends through reply.send', async () => {
    const now = api.now.getTime();
    const get = (query: string) =>
      api.app.inject({
        method: 'GET',
        url: `/api/v1/hosts/web-01/stats?${query}`,
        headers: bearer(READ_TOKEN),
      });
    const from = new Date(now - 2 * 60 * MINUTE - 47_000).toISOString();
    // buckets: the 5-minute rollup, written in pieces; a step from an unaligned start: raw, sent whole.
    const pieces = await get(`from=${from}&to=${api.now.toISOString()}&buckets=24`);
    const whole = await get(`from=${from}&to=${api.now.toISOString()}&step=600`);
    expect(JSON.parse(pieces.body).source).toBe('rollup-5m');
    expect(JSON.parse(whole.body).source).toBe('raw');
    const varying = new Set(['date', 'content-length', 'x-ratelimit-remaining', 'x-ratelimit-reset']);
    const headers = (res: typeof pieces) =>
      Object.entries(res.headers).map(([name, value]) => [name, varying.has(name) ? '…' : value]);
    expect(headers(pieces)).toEqual(headers(whole));
    expect(pieces.headers['content-length']).toBe(String(Buffer.byteLength(pieces.body)));
    expect(pieces.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

describe('series of requests that arrive together', () => {
  // Hosts with many samples, a few, none, and one that does not exist; ranges cut at both ends,
  // on the clock, shifted, with an explicit step, and one with no samples at all.
  const burst = () => {
    const now = api.now.getTime();
    const aligned = Math.floor((now - 100 * MINUTE) / SLOT) * SLOT;
    const ranges: [Date, Date, number | undefined, number | undefined][] = [
      [new Date(now - 2 * 60 * MINUTE - 47_000), api.now, undefined, 24],
      [new Date(now - 2 * 60 * MINUTE - 37_000), new Date(now - 5_000), undefined, 24],
      [new Date(aligned), new Date(now - 61_000), 900, undefined],
      [new Date(now - 86_400_000), api.now, undefined, 300],
      [new Date(aligned - 60 * MINUTE), new Date(now - 29 * MINUTE), 600, undefined],
      [new Date(now - 20 * 86_400_000), new Date(now - 19 * 86_400_000), undefined, 300],
    ];
    return ['web-01', 'web-02', 'db-01', 'web-01', 'nope-01'].flatMap((hostId) =>
      ranges.map(([from, to, step, buckets]) => ({ hostId, from, to, step, buckets })),
    );
  };

  /** Fires the whole burst at once, then checks each response against its own uncached read. */
  async function expectBurstUncached(): Promise<void> {
    const requests = burst();
    const responses = await Promise.all(
      requests.map(({ hostId, from, to, step, buckets }) =>
        api.app.inject({
          method: 'GET',
          url:
            `/api/v1/hosts/${hostId}/stats?from=${from.toISOString()}&to=${to.toISOString()}&` +
            (step === undefined ? `buckets=${buckets}` : `step=${step}`),
          headers: bearer(READ_TOKEN),
        }),
      ),
    );
    for (const [i, { hostId, from, to, step, buckets }] of requests.entries()) {
      const res = responses[i]!;
      if (hostId === 'nope-01') {
        expect(res.statusCode).toBe(404);
        continue;
      }
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(await uncached(from, to, step, buckets, hostId));
    }
  }

  it('answers each as its own uncached read: cold, warm, after new samples and after the rollup is written', async () => {
    await expectBurstUncached();
    await expectBurstUncached();
    await insertSample(new Date(api.now.getTime() - 3_000), 41.5);
    await expectBurstUncached();
    await rollup(3 * 60 * MINUTE, 10 * MINUTE);
    await expectBurstUncached();
    await expectBurstUncached();
  });
});

describe('SeriesBucketCache', () => {
  const entry = (bytes: number): CachedBuckets => ({
    version: '1',
    coveredFromMs: 0,
    coveredUntilMs: SLOT,
    fromMs: 0,
    toMs: SLOT,
    times: new Float64Array(1),
    starts: new Uint32Array(1),
    bytes: Buffer.alloc(bytes),
  });

  it('keeps at most its bytes, dropping the least recently used first', () => {
    const cache = new SeriesBucketCache(3 * 1_216);
    cache.set('a', entry(1_000));
    cache.set('b', entry(1_000));
    cache.set('c', entry(1_000));
    expect(cache.get('a')).toBeDefined();
    cache.set('d', entry(1_000));
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => cache.get(k) !== undefined)).toEqual([true, true, true]);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    cache.set('big', entry(10_000));
    expect(cache.get('big')).toBeUndefined();
    cache.set('a', entry(10));
    expect(cache.bytes).toBe(1_216 * 2 + 226);
  });
});
