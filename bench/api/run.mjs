// API benchmark (issue 6): 1,000 hosts x 24 h of 10 s stats (8.64 M rows) in a private PostgreSQL,
// the API in its own process, autocannon at 100 connections; each figure beside a bare Fastify
// route measured just before it. Targets (issue 6): the fleet list and one host with its latest stats
// at least 5,000 requests/s with p99 at most 30 ms; the 24 h series p99 at most 50 ms at 200
// requests/s offered; a `target:` line says whether each is met. The API runs with its real rate limiter and
// token check, its limit raised to 100,000,000 a minute (API_RATE_LIMIT), as an operator would for
// one client address making a load test's requests. Build first: npx tsc -b services/api
// Run: node bench/api/run.mjs   (BENCH_SECONDS per measurement, default 10; BENCH_HOSTS, default 1000;
// BENCH_KEEP=1 keeps the cluster in .hostwatch/bench-api for another run without seeding again;
// BENCH_ONLY=fleet,host,series measures only those groups, series being series-bursts, series-even
// and series-fast; BENCH_SERVER_ARGS='--cpu-prof --cpu-prof-dir=DIR' (or --trace-gc, …) are node's
// options for the servers' process; BENCH_TRACE=DIR records where the time went, every response
// here and every series request, statement, collection and event-loop gap in the servers' process
// (bench/api/server-trace.mjs), for node bench/api/trace-report.mjs DIR)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrateToLatest } from '@hostwatch/db';
import { rollupFiveMinuteStats } from '@hostwatch/ingest';
import { findTools, repoRoot, startPostgres } from '@hostwatch/local-servers';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 1000);
const SAMPLES = 8640; // 24 h at 10 s
const TOKEN = 'bench-token-0123456789abcdef';
const root = repoRoot(fileURLToPath(new URL('.', import.meta.url)));
const dir = join(root, '.hostwatch', 'bench-api');
const keep = process.env.BENCH_KEEP === '1';
const say = (line) => console.log(line);
const only = new Set(
  (process.env.BENCH_ONLY ?? 'fleet,host,series')
    .split(',')
    .flatMap((group) => (group === 'series' ? ['series-bursts', 'series-even', 'series-fast'] : [group])),
);
const traceDir = process.env.BENCH_TRACE;
if (traceDir !== undefined) await mkdir(traceDir, { recursive: true });
const epochNow = () => performance.timeOrigin + performance.now();
// With BENCH_TRACE: each measurement's title, start and end, every response's end and latency (in
// typed arrays allocated once, so that recording adds nothing for this process's collector to scan)
// and this process's garbage collections, in epoch ms.
const record =
  traceDir === undefined
    ? undefined
    : { measurements: [], ends: new Float64Array(4e6), latencies: new Float32Array(4e6), n: 0, gcs: [] };
if (record !== undefined) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      record.gcs.push([performance.timeOrigin + e.startTime, e.duration, e.detail?.kind]);
  }).observe({ entryTypes: ['gc'] });
}
/** Starts recording the responses of one measurement; returns what to call on each and at its end. */
function recordMeasurement(title) {
  const m = { title, start: epochNow(), first: record?.n ?? 0 };
  return {
    response(latency) {
      if (record === undefined || record.n >= record.ends.length) return;
      record.ends[record.n] = epochNow();
      record.latencies[record.n++] = latency;
    },
    end() {
      if (record === undefined) return;
      record.measurements.push({ ...m, end: epochNow(), last: record.n });
    },
  };
}

if (!keep) await rm(dir, { recursive: true, force: true });
await mkdir(dir, { recursive: true });
const cluster = await startPostgres({ pgBin: findTools(root).pgBin, dir, unsafeFast: true });
const admin = new pg.Client({ connectionString: cluster.url() });
await admin.connect();
// A production-like cache for a table of this size; the default 128 MB is meant for tiny machines.
await admin.query(`ALTER SYSTEM SET shared_buffers = '2GB'`);
await admin.query(`ALTER SYSTEM SET effective_cache_size = '8GB'`);
await admin.query(`ALTER SYSTEM SET max_parallel_workers_per_gather = 0`);
// So that the cluster's log (postgres.log in its directory) shows any vacuum or checkpoint that ran
// during a measurement.
await admin.query(`ALTER SYSTEM SET log_autovacuum_min_duration = 0`);
await admin.query(`ALTER SYSTEM SET log_checkpoints = on`);
await admin.end();
await cluster.stop();
await cluster.start();

const seeded = keep && existsSync(join(dir, 'seeded'));
const url = seeded ? cluster.url('hostwatch') : await cluster.createDatabase('hostwatch');
const now = new Date();
const db = new pg.Client({ connectionString: url });
await db.connect();

// A kept cluster gets the migrations written since it was seeded (host_latest fills itself from host_stats).
await migrateToLatest(url);
const {
  rows: [{ n: existing }],
} = await db.query(`SELECT count(*)::int AS n FROM hosts`);
let end = now;
if (existing === 0) {
  say(`seeding ${HOSTS} hosts x ${SAMPLES} samples (${((HOSTS * SAMPLES) / 1e6).toFixed(2)} M rows)…`);
  const t0 = performance.now();
  const DAY = 86_400_000;
  for (let day = Math.floor((now.getTime() - DAY) / DAY) * DAY; day <= now.getTime(); day += DAY) {
    const a = new Date(day).toISOString().slice(0, 10);
    const b = new Date(day + DAY).toISOString().slice(0, 10);
    for (const table of ['host_stats', 'ssh_events', 'security_events']) {
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${table}_p${a.replaceAll('-', '')} PARTITION OF ${table} FOR VALUES FROM ('${a} 00:00:00+00') TO ('${b} 00:00:00+00')`,
      );
    }
  }
  await db.query(
    `INSERT INTO hosts (host_id, status, hostname, addresses, first_seen, last_seen, approved_at)
     SELECT 'host-' || lpad(h::text, 4, '0'), 'approved', 'host-' || h || '.example.net',
            ARRAY['10.' || (h / 256) || '.' || (h % 256) || '.1'], $1::timestamptz - interval '30 days', $1, $1::timestamptz - interval '30 days'
       FROM generate_series(1, $2::int) AS h`,
    [now, HOSTS],
  );
  // Two sessions fill the table at once (two cores). Rows go in time order, every host interleaved,
  // as ingest writes them: one host's samples are spread over the heap, not packed together. The
  // `0 * i` makes the host series depend on the sample, so the planner cannot turn the loops around.
  const detail = JSON.stringify({
    cores: [31.2, 18.9, 22.1, 40.3],
    disks: [
      { mount: '/', fs: 'ext4', totalBytes: 107374182400, usedPercent: 41.5 },
      { mount: '/var', fs: 'xfs', totalBytes: 536870912000, usedPercent: 63.1 },
    ],
    interfaces: [{ name: 'eth0', rxBytes: 123456789, txBytes: 98765432 }],
  });
  const half = Math.ceil(HOSTS / 2);
  const fill = async (from, to) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`SET synchronous_commit = off`);
    await c.query(
      `INSERT INTO host_stats (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes, mem_available_bytes,
                               mem_used_percent, swap_total_bytes, swap_free_bytes, swap_used_percent, load1, load5, load15,
                               uptime_seconds, processes, disk_max_used_percent, detail, message_id)
       SELECT 'host-' || lpad(h::text, 4, '0'), $1::timestamptz - (${SAMPLES} - i) * interval '10 seconds', 'boot', i, 4,
              (20 + 15 * sin(i / 60.0 + h))::real, 17179869184, 9663676416, (40 + 10 * sin(i / 500.0 + h))::real,
              2147483648, 2013265920, 6.25, (1 + sin(i / 90.0))::real, 1.1, 0.9, 86400 + i * 10, 312, 63.1,
              $2::jsonb, 'host-' || h || '-boot-' || i
         FROM generate_series(1, ${SAMPLES}) AS i CROSS JOIN LATERAL generate_series($3::int + 0 * i, $4::int) AS h`,
      [now, detail, from, to],
    );
    await c.end();
  };
  await Promise.all([fill(1, half), fill(half + 1, HOSTS)]);
  const t1 = performance.now();
  // What ingest keeps in the transaction of each sample: every host's newest one.
  await db.query(
    `INSERT INTO host_latest SELECT s.* FROM hosts h
       CROSS JOIN LATERAL (SELECT * FROM host_stats WHERE host_id = h.host_id ORDER BY time DESC LIMIT 1) s`,
  );
  // Autovacuum would set the visibility map of these pages soon after they are written (PostgreSQL
  // >= 13 vacuums after inserts); index-only scans rely on it.
  await db.query(`SET maintenance_work_mem = '1GB'`);
  await db.query(`VACUUM (ANALYZE)`);
  const {
    rows: [{ n, size }],
  } = await db.query(
    `SELECT count(*)::int AS n, pg_size_pretty(pg_total_relation_size('host_stats_p${now.toISOString().slice(0, 10).replaceAll('-', '')}') + pg_total_relation_size('host_stats_p${new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')}')) AS size FROM host_stats`,
  );
  say(
    `seeded ${n.toLocaleString('en')} rows (${size}) in ${((t1 - t0) / 1000).toFixed(1)} s (+ host_latest, VACUUM ANALYZE ${((performance.now() - t1) / 1000).toFixed(1)} s)`,
  );
  if (keep)
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'seeded'), now.toISOString()));
} else {
  const {
    rows: [{ t }],
  } = await db.query(`SELECT max(time) AS t FROM host_stats`);
  end = t;
  say(`reusing ${existing} seeded hosts in ${dir}`);
}
// The 5-minute rollup as ingest's maintenance keeps it (the same function), over every seeded
// slot that has ended; a cluster seeded before the rollup existed gets it here once.
const {
  rows: [coverage],
} = await db.query(`SELECT covered_from, covered_until FROM host_stats_5m_coverage`);
if (coverage === undefined) {
  const t0 = performance.now();
  const {
    rows: [{ first }],
  } = await db.query(`SELECT min(time) AS first FROM host_stats`);
  const rows = await rollupFiveMinuteStats(db, first, new Date(end.getTime() + 1));
  await db.query(`VACUUM (ANALYZE) host_stats_5m`);
  say(
    `5-minute rollup: ${rows.toLocaleString('en')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
await db.end();

// The servers, in their own process.
const serverArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
const server = spawn(
  process.execPath,
  [...serverArgs, fileURLToPath(new URL('server.mjs', import.meta.url))],
  {
    env: { ...process.env, DATABASE_URL: url, API_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
// The first line that is JSON gives the ports; what else the process prints (node's --trace-gc) goes
// to DIR/server-stdout.txt with BENCH_TRACE, else nowhere.
const serverOut = traceDir === undefined ? undefined : createWriteStream(join(traceDir, 'server-stdout.txt'));
const ports = await new Promise((resolve) => {
  let found;
  createInterface({ input: server.stdout }).on('line', (line) => {
    if (found === undefined && line.startsWith('{')) resolve((found = JSON.parse(line)));
    else serverOut?.write(`${line}\n`);
  });
});
const api = `http://127.0.0.1:${ports.api}`;
const auth = { authorization: `Bearer ${TOKEN}` };
const hostId = (i) => `host-${String(i).padStart(4, '0')}`;
let pick = 0;
const nextHost = () => hostId((pick++ % HOSTS) + 1);
const from24h = new Date(end.getTime() - 86_400_000).toISOString();
const to24h = end.toISOString();

function measure(title, options) {
  const load = loadavg()[0];
  const trace = recordMeasurement(title);
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections: 100, duration: SECONDS, ...options }, (err, result) => {
      trace.end();
      return err ? reject(err) : resolve({ title, result, load });
    });
    if (record !== undefined) instance.on('response', (_client, _status, _bytes, ms) => trace.response(ms));
  });
}

// autocannon's `overallRate` is a quota per connection per second: its 100 connections start
// together, so 200 req/s arrive as a burst of about 200 at the start of each second. This offers
// the rate evenly instead (one request every 1000 / rate ms, up to 100 connections), open loop, and
// times each request from when it was due, so a late send counts against the server.
function paced(title, { path, rate }) {
  const load = loadavg()[0];
  const agent = new Agent({ keepAlive: true, maxSockets: 100 });
  const total = rate * SECONDS;
  const latencies = [];
  const trace = recordMeasurement(title);
  let non2xx = 0;
  let errors = 0;
  let done = 0;
  let sent = 0;
  const start = performance.now();
  const due = (i) => start + (i * 1000) / rate;
  return new Promise((resolve) => {
    const settle = () => {
      if (++done < total) return;
      const seconds = (performance.now() - start) / 1000;
      trace.end();
      latencies.sort((a, b) => a - b);
      const at = (q) =>
        Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
      agent.destroy();
      resolve({
        title,
        load,
        result: {
          requests: { average: latencies.length / seconds },
          latency: { p50: at(0.5), p99: at(0.99), max: Math.round(latencies.at(-1) ?? 0) },
          non2xx,
          errors,
          timeouts: 0,
        },
      });
    };
    const tick = () => {
      while (sent < total && due(sent) <= performance.now()) {
        const dueAt = due(sent++);
        get(`${api}${path()}`, { agent, headers: auth }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
            else latencies.push(performance.now() - dueAt);
            trace.response(performance.now() - dueAt);
            settle();
          });
        }).on('error', () => {
          errors++;
          settle();
        });
      }
      if (sent < total) setTimeout(tick, Math.max(0, due(sent) - performance.now()));
    };
    tick();
  });
}

const loadBefore = loadavg();
const runs = [];
const bare = { url: `http://127.0.0.1:${ports.bare}/bare` };
const seriesPath = () => `/api/v1/hosts/${nextHost()}/stats?from=${from24h}&to=${to24h}&buckets=300`;
const fleetPage = { url: `${api}/api/v1/hosts?limit=100`, headers: auth };
const oneHost = {
  url: api,
  headers: auth,
  requests: [{ setupRequest: (r) => ({ ...r, path: `/api/v1/hosts/${nextHost()}` }) }],
};
// Warm up both servers and PostgreSQL's cache: every host's series once (a count, not a time: on a
// cluster just started, 3 s reached only about half the hosts, whose first requests then read their
// whole series during the measurement), then 3 s more.
await measure('warm-up', {
  url: api,
  headers: auth,
  amount: HOSTS,
  requests: [{ setupRequest: (r) => ({ ...r, path: seriesPath() }) }],
});
await measure('warm-up', {
  url: api,
  headers: auth,
  duration: 3,
  requests: [{ setupRequest: (r) => ({ ...r, path: seriesPath() }) }],
});
await measure('warm-up', { ...bare, duration: 2 });
// And the fleet list and one host's routes: measured cold, the first of their ten seconds (the
// routes' code compiled, their first pages built) had p99 about 100 ms and made the whole p99.
if (only.has('fleet')) await measure('warm-up', { ...fleetPage, duration: 2 });
if (only.has('host')) await measure('warm-up', { ...oneHost, duration: 2 });

// Each measurement with a target (issue 6) follows a bare-route measurement of its own, so that
// the two figures of a row saw the same machine.
async function measureBeside(title, options, target) {
  const beside = await measure('bare', bare);
  runs.push({ ...(await measure(title, options)), beside, target });
}

if (only.has('fleet')) {
  await measureBeside('fleet list, one page of 100 hosts (GET /api/v1/hosts?limit=100)', fleetPage, {
    what: 'fleet list >= 5,000 req/s with p99 <= 30 ms at 100 connections',
    rps: 5000,
    p99: 30,
  });
  await measureBeside(
    'fleet list, one page of 100 hosts, gzip as browsers ask (GET /api/v1/hosts?limit=100)',
    { ...fleetPage, headers: { ...auth, 'accept-encoding': 'gzip, deflate, br' } },
    {
      what: 'fleet list, gzip as browsers ask, >= 5,000 req/s with p99 <= 30 ms at 100 connections',
      rps: 5000,
      p99: 30,
    },
  );
  runs.push(
    await measure('bare Fastify route sending the same bytes as a 100-host fleet page', {
      url: `http://127.0.0.1:${ports.bare}/bare/fleet-page`,
    }),
  );
  runs.push(
    await measure('fleet list, all 1,000 hosts in one page (GET /api/v1/hosts?limit=1000)', {
      url: `${api}/api/v1/hosts?limit=1000`,
      headers: auth,
    }),
  );
}
if (only.has('host')) {
  await measureBeside('one host with its latest stats (GET /api/v1/hosts/{id}, hosts in turn)', oneHost, {
    what: 'one host with latest stats >= 5,000 req/s with p99 <= 30 ms at 100 connections',
    rps: 5000,
    p99: 30,
  });
}
if (only.has('series-bursts')) {
  await measureBeside(
    '24 h series of one host in 300 buckets, 200 requests/s offered (hosts in turn)',
    {
      url: api,
      headers: auth,
      overallRate: 200,
      requests: [{ setupRequest: (r) => ({ ...r, path: seriesPath() }) }],
    },
    // Keeping up with the offered rate is part of the target.
    {
      what: '24 h series in 300 buckets p99 <= 50 ms at 200 req/s offered (and kept up with)',
      rps: 195,
      p99: 50,
    },
  );
}
if (only.has('series-even')) {
  const beside = await measure('bare', bare);
  runs.push({
    ...(await paced('24 h series of one host in 300 buckets, 200 requests/s offered evenly (hosts in turn)', {
      path: seriesPath,
      rate: 200,
    })),
    beside,
    target: {
      what: '24 h series in 300 buckets p99 <= 50 ms at 200 req/s offered evenly, timed from when each was due (and kept up with)',
      rps: 195,
      p99: 50,
    },
  });
}
if (only.has('series-fast')) {
  runs.push(
    await measure('24 h series of one host in 300 buckets, as fast as it goes', {
      url: api,
      headers: auth,
      requests: [{ setupRequest: (r) => ({ ...r, path: seriesPath() }) }],
    }),
  );
}

server.kill('SIGTERM');
await once(server, 'exit');
await cluster.stop();
if (record !== undefined) {
  const { measurements, ends, latencies, n, gcs } = record;
  await writeFile(
    join(traceDir, 'client.json'),
    JSON.stringify({
      measurements,
      ends: [...ends.subarray(0, n)],
      latencies: [...latencies.subarray(0, n)],
      gcs,
    }),
  );
}

say('');
say(
  `hostwatch api benchmark: ${HOSTS} hosts x ${SAMPLES} samples, 100 connections, ${SECONDS} s each, ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
const loadAfter = loadavg();
const fmt = (l) => l.map((x) => x.toFixed(2)).join(' ');
say(
  `load average (1, 5, 15 min) before the measurements ${fmt(loadBefore)}, after ${fmt(loadAfter)}: other work on this machine shares its ${cpus().length} cores`,
);
say(
  '| what | load (1 min) | requests/s | p50 ms | p99 ms | max ms | non-2xx | errors | bare route just before: req/s, p99 ms |',
);
say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const { title, result: r, load, beside } of runs) {
  const bareFigures = beside
    ? `${Math.round(beside.result.requests.average).toLocaleString('en')}, ${beside.result.latency.p99}`
    : '';
  say(
    `| ${title} | ${load.toFixed(1)} | ${Math.round(r.requests.average).toLocaleString('en')} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} | ${r.non2xx} | ${r.errors + r.timeouts} | ${bareFigures} |`,
  );
}
say('');
// The verdicts, one `target:` line each (bench/run.mjs collects them into bench/results.md).
for (const { result: r, load, beside, target } of runs.filter((run) => run.target)) {
  const rps = Math.round(r.requests.average);
  const met = rps >= target.rps && r.latency.p99 <= target.p99 && r.non2xx + r.errors + r.timeouts === 0;
  say(
    `target: ${target.what}: ${rps.toLocaleString('en')} req/s, p99 ${r.latency.p99} ms, ${r.non2xx + r.errors + r.timeouts} failed ` +
      `(bare route just before ${Math.round(beside.result.requests.average).toLocaleString('en')} req/s, p99 ${beside.result.latency.p99} ms; load ${load.toFixed(1)}): ${met ? 'met' : 'NOT met'}`,
  );
}
if (!keep) await rm(dir, { recursive: true, force: true });
