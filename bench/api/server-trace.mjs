// What bench/api/server.mjs records with BENCH_TRACE=DIR, to see where a request's time goes: each
// garbage collection, each gap of the event loop, each statement (with the batch size of a series
// statement) and each series request's way through Fastify's hooks, all in epoch milliseconds so
// that they line up with the client's record (bench/api/run.mjs). Written to DIR/server.json at exit.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';

const epoch = (t) => performance.timeOrigin + t;
const now = () => epoch(performance.now());
const round = (x) => Math.round(x * 100) / 100;

/** Starts recording; `hook(app)` adds the series requests. Call before the API's pool connects. */
export function startServerTrace(dir) {
  const gcs = [];
  const gaps = [];
  const statements = [];
  // Four times per series request (onRequest, preHandler, onSend or null, onResponse), allocated once so
  // that recording adds nothing for the collector to scan.
  const requests = new Float64Array(4e6);
  let n = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push([round(epoch(e.startTime)), round(e.duration), e.detail?.kind]);
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // A timer every 2 ms: a late tick is a turn of the event loop that ran that much longer.
  let last = performance.now();
  setInterval(() => {
    const t = performance.now();
    if (t - last > 7) gaps.push([round(epoch(last)), round(t - last)]);
    last = t;
  }, 2).unref();

  // Every statement the process sends, timed around pg's Client#query (the API runs some through
  // kysely's compiler and some as compiled text): its kind, and a series batch's size (its one
  // parameter is its requests as a JSON array).
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, callback) {
    const t = now();
    const result = query.call(this, config, values, callback);
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const params = (typeof config === 'object' ? config?.values : values) ?? [];
    result?.then?.(
      (r) => {
        const kind = text.includes('json_to_recordset')
          ? 'series'
          : text.includes('host_latest')
            ? 'snapshot'
            : 'other';
        const batch = kind === 'series' ? String(params[0]).split('{"h":').length - 1 : 0;
        statements.push([round(t), round(now()), kind, batch, r?.rows?.length ?? 0]);
      },
      () => undefined,
    );
    return result;
  };

  // With BENCH_TRACE_ALLOCATIONS=1, where the process allocates, dead objects included (what the
  // young generation's collections cost), in DIR/allocations.heapprofile.
  const session = process.env.BENCH_TRACE_ALLOCATIONS === '1' ? new Session() : undefined;
  session?.connect();
  const sampling = session?.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });

  return {
    hook(app) {
      app.addHook('onRequest', async (request) => {
        request.benchTrace = [now(), NaN, NaN];
      });
      app.addHook('preHandler', async (request) => {
        if (request.benchTrace !== undefined) request.benchTrace[1] = now();
      });
      // Not called for a response the route writes itself (reply.hijack).
      app.addHook('onSend', async (request) => {
        if (request.benchTrace !== undefined) request.benchTrace[2] = now();
      });
      app.addHook('onResponse', async (request) => {
        const t = request.benchTrace;
        if (t === undefined || !request.url.includes('/stats') || n + 4 > requests.length) return;
        requests.set([...t, now()], n);
        n += 4;
      });
    },
    async write() {
      if (session !== undefined) {
        await sampling;
        const { profile } = await session.post('HeapProfiler.stopSampling');
        writeFileSync(join(dir, 'allocations.heapprofile'), JSON.stringify(profile));
      }
      writeFileSync(
        join(dir, 'server.json'),
        JSON.stringify({
          gcs,
          gaps,
          statements,
          requests: [...requests.subarray(0, n)].map((t) => (Number.isNaN(t) ? null : round(t))),
          // The same moment in epoch ms and in the monotonic clock's µs that --cpu-prof's times use.
          clock: [now(), Number(process.hrtime.bigint() / 1000n)],
          eventLoopDelay: {
            p50: delay.percentile(50) / 1e6,
            p99: delay.percentile(99) / 1e6,
            max: delay.max / 1e6,
          },
        }),
      );
    },
  };
}
