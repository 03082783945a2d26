// API benchmark (issue 6): 1,000 hosts x 24 h of 10 s stats (8.64 M rows) in a private PostgreSQL,
// the API in its own process, autocannon at 100 connections; each figure beside a bare Fastify
// route measured just before it. Targets (issue 6): the fleet list and one host with its latest stats
// at least 5,000 requests/s with p99 at most 30 ms; the 24 h series p99 at most 50 ms at 200
// requests/s offered; a `target:` line says whether each is met, on the p99 of the steady state (the
// requests written once all 100 connections had been answered once) and with the p99 of every
// response, connection set-up included, beside it. The API runs with its real rate limiter and
// token check, its limit raised to 100,000,000 a minute (API_RATE_LIMIT), as an operator would for
// one client address making a load test's requests. Build first: npx tsc -b services/api
// Run: node bench/api/run.mjs   (BENCH_SECONDS per measurement, default 10; BENCH_HOSTS, default 1000;
// BENCH_KEEP=1 keeps the cluster in .hostwatch/bench-api for another run without seeding again;
// BENCH_ONLY=fleet,host,series measures only those groups, series being series-bursts, series-even
// and series-fast, and probe the bursts of bench/api/connection-probe.mjs; BENCH_CLIENT_SEMI_SPACE_MB
// (default 64, 0 for V8's default) is this process's young generation; BENCH_SERVER_ARGS='--cpu-prof
// --cpu-prof-dir=DIR' (or --trace-gc, …) are node's
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

// autocannon runs in this process and keeps every response's body as a string, read or not: at
// 10,000 fleet pages a second that is 450 MB/s of short-lived strings, and with V8's default young
// generation this process spent about a third of its time collecting, which the fleet list's p99 was
// mostly made of (docs/api.md, session 10). So the load generator runs with a young generation of
// BENCH_CLIENT_SEMI_SPACE_MB per semi-space (default 64; 0 keeps V8's default): this process starts
// itself again with --max-semi-space-size. The servers' process keeps node's defaults.
const clientSemiSpace = Number(process.env.BENCH_CLIENT_SEMI_SPACE_MB ?? 64);
if (clientSemiSpace > 0 && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  const child = spawn(
    process.execPath,
    [`--max-semi-space-size=${clientSemiSpace}`, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  const [code] = await once(child, 'exit');
  process.exit(code ?? 1);
}

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
// This process's collections so far, in ms (each measurement prints its share).
let clientGcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    clientGcMs += e.duration;
    record?.gcs.push([performance.timeOrigin + e.startTime, e.duration, e.detail?.kind]);
  }
}).observe({ entryTypes: ['gc'] });
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
// A process that exits before listening (its error is on stderr above) ends the run with the cluster
// stopped, so the next run can start it.
const ports = await new Promise((resolve, reject) => {
  let found;
  createInterface({ input: server.stdout }).on('line', (line) => {
    if (found === undefined && line.startsWith('{')) resolve((found = JSON.parse(line)));
    else serverOut?.write(`${line}\n`);
  });
  server.once('exit', (code, signal) =>
    reject(
      new Error(`the servers' process (bench/api/server.mjs) exited with ${signal ?? code} before listening`),
    ),
  );
}).catch(async (err) => {
  await cluster.stop();
  throw err;
});
const api = `http://127.0.0.1:${ports.api}`;
const auth = { authorization: `Bearer ${TOKEN}` };
const hostId = (i) => `host-${String(i).padStart(4, '0')}`;
let pick = 0;
const nextHost = () => hostId((pick++ % HOSTS) + 1);
const from24h = new Date(end.getTime() - 86_400_000).toISOString();
const to24h = end.toISOString();

// Every response of the autocannon measurement running: when it ended (performance.now() ms), its
// latency as autocannon timed it and its connection, in typed arrays allocated once.
const responses = {
  ends: new Float64Array(2e6),
  latencies: new Float64Array(2e6),
  connections: new Uint8Array(2e6),
  n: 0,
};

/** p50, p99 and max (ms) of `latencies`, a typed array it sorts. */
function percentiles(latencies) {
  latencies.sort();
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0, count: latencies.length };
}

/**
 * The two figures of one autocannon measurement, from its responses as autocannon timed them (each
 * from when its request was written, without autocannon's coordinated-omission correction):
 * - `setUp`: every response. autocannon creates its 100 connections when the measurement starts and
 *   writes each one's first request as it creates it, so the first 100 requests also wait for the
 *   connections after theirs to be created (`built` ms for all 100), for their own connect and the
 *   server's accept, and are the first request on their connection.
 * - `steady`: the responses to requests written once every connection had been answered once
 *   (`ready` ms after the start): the 100 connections open and each used before.
 */
function phases(start, built) {
  const { ends, latencies, connections, n } = responses;
  const seen = new Uint8Array(256);
  let answered = 0;
  let ready = Infinity;
  for (let i = 0; i < n && answered < built.length; i++) {
    if (seen[connections[i]] === 1) continue;
    seen[connections[i]] = 1;
    if (++answered === built.length) ready = ends[i];
  }
  const steady = [];
  for (let i = 0; i < n; i++) if (ends[i] - latencies[i] >= ready) steady.push(latencies[i]);
  const last = n === 0 ? ready : ends[n - 1];
  return {
    built: built.length === 0 ? 0 : built.at(-1) - built[0],
    ready: ready - start,
    setUp: percentiles(latencies.slice(0, n)),
    steady: {
      ...percentiles(Float64Array.from(steady)),
      rps: last > ready ? steady.length / ((last - ready) / 1000) : 0,
    },
  };
}

function measure(title, options) {
  const load = loadavg()[0];
  const trace = recordMeasurement(title);
  // When autocannon created each of its connections (it calls setupClient in each one's constructor).
  const built = [];
  responses.n = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const gc = clientGcMs;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        connections: 100,
        duration: SECONDS,
        ...options,
        setupClient: (client) => {
          client.benchConnection = built.length;
          built.push(performance.now());
        },
      },
      (err, result) => {
        trace.end();
        if (err) return reject(err);
        const { user, system } = process.cpuUsage(cpu);
        const client = {
          cores: (user + system) / 1000 / (performance.now() - start),
          gcMs: clientGcMs - gc,
        };
        return resolve({ title, result, load, client, phases: phases(start, built) });
      },
    );
    instance.on('response', (client, _status, _bytes, ms) => {
      trace.response(ms);
      const i = responses.n;
      if (i >= responses.ends.length) return;
      responses.ends[i] = performance.now();
      responses.latencies[i] = ms;
      responses.connections[i] = client.benchConnection;
      responses.n++;
    });
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
if (only.has('fleet') || only.has('probe')) await measure('warm-up', { ...fleetPage, duration: 2 });
if (only.has('host') || only.has('probe')) await measure('warm-up', { ...oneHost, duration: 2 });

// BENCH_ONLY=probe: bursts of 100 requests on fresh, fresh but connected, and warm connections from a
// client of raw sockets (bench/api/connection-probe.mjs), eight rounds per route, to see what a
// fresh connection costs the server apart from what autocannon's client costs.
const probes = [];
if (only.has('probe')) {
  const { probeConnections } = await import('./connection-probe.mjs');
  const routes = [
    ['bare route', ports.bare, () => '/bare', {}],
    ['fleet list, 100 hosts', ports.api, () => '/api/v1/hosts?limit=100', auth],
    ['one host', ports.api, () => `/api/v1/hosts/${nextHost()}`, auth],
    ['24 h series, 300 buckets', ports.api, () => seriesPath(), auth],
  ];
  for (const [title, port, path, headers] of routes) {
    probes.push({ title, load: loadavg()[0], rows: await probeConnections({ port, path, headers }) });
  }
}

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
const ms = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '-');
say(
  'Latencies of the autocannon rows as autocannon timed each request, from when it wrote it, without its coordinated-omission ' +
    'correction (its own p99, with it, is in the last column but one). With connection set-up: every response; autocannon creates ' +
    'its 100 connections as the measurement starts and writes the first request of each as it creates it, so those requests also ' +
    'wait for the connections after theirs to be created, for their connect and accept, and are the first on their connection. ' +
    'Steady state: the responses to requests written once every connection had been answered once.',
);
say(
  "| what | load (1 min) | requests/s | with connection set-up: p50, p99, max ms | steady state: req/s, p50, p99, max ms | non-2xx | errors | autocannon created its connections in ms, all answered once at ms | this process (autocannon): cores, ms collecting | autocannon's own p99 ms | bare route just before: req/s, p99 ms with set-up, steady |",
);
say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const { title, result: r, load, beside, phases: ph, client } of runs) {
  const bareFigures = beside
    ? `${Math.round(beside.result.requests.average).toLocaleString('en')}, ${ms(beside.phases.setUp.p99)}, ${ms(beside.phases.steady.p99)}`
    : '';
  const latency = ph?.setUp ?? r.latency;
  say(
    `| ${title} | ${load.toFixed(1)} | ${Math.round(r.requests.average).toLocaleString('en')} | ${ms(latency.p50)}, ${ms(latency.p99)}, ${ms(latency.max)} | ` +
      (ph ? `${ms(ph.steady.rps)}, ${ms(ph.steady.p50)}, ${ms(ph.steady.p99)}, ${ms(ph.steady.max)}` : '') +
      ` | ${r.non2xx} | ${r.errors + r.timeouts} | ` +
      (ph
        ? `${ph.built.toFixed(1)}, ${ms(ph.ready)} | ${client.cores.toFixed(2)}, ${ms(client.gcMs)} | ${r.latency.p99} | `
        : ' | | | ') +
      `${bareFigures} |`,
  );
}
if (probes.length > 0) {
  say('');
  say(
    'Bursts of 100 requests from raw sockets (bench/api/connection-probe.mjs), ms from the first send to the last answer, median and slowest of 8 rounds (p50 of the requests, median of the rounds):',
  );
  say('| route | load (1 min) | fresh, sent at once | fresh, connected first | warm (used once) |');
  say('| --- | ---: | ---: | ---: | ---: |');
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const { title, load, rows } of probes) {
    const cell = (k) =>
      `${med(rows.map((r) => r[k].span)).toFixed(1)} / ${Math.max(...rows.map((r) => r[k].span)).toFixed(1)} (p50 ${med(rows.map((r) => r[k].p50)).toFixed(1)})` +
      (rows.some((r) => r[k].failed > 0) ? ' FAILED' : '');
    say(
      `| ${title} | ${load.toFixed(1)} | ${cell('atOnce')} | ${cell('connectedFirst')} | ${cell('warm')} |`,
    );
  }
}
say('');
// The verdicts, one `target:` line each (bench/run.mjs collects them into bench/results.md). The
// throughput is autocannon's over the whole measurement; the p99 that decides is the steady state's,
// and the line says whether the p99 with connection set-up meets the target too.
const oneDecimal = (x) => x.toFixed(1);
for (const { result: r, load, beside, target, phases: ph } of runs.filter((run) => run.target)) {
  const rps = Math.round(r.requests.average);
  const failed = r.non2xx + r.errors + r.timeouts;
  const p99 = ph ? ph.steady.p99 : r.latency.p99;
  const met = rps >= target.rps && p99 <= target.p99 && failed === 0;
  const latency = ph
    ? `p99 ${oneDecimal(ph.steady.p99)} ms in steady state (requests written once all 100 connections had been answered once), ` +
      `${oneDecimal(ph.setUp.p99)} ms with connection set-up (every response; ${ph.setUp.p99 <= target.p99 ? 'met' : 'NOT met'})`
    : `p99 ${r.latency.p99} ms`;
  const bare = beside.phases
    ? `${Math.round(beside.result.requests.average).toLocaleString('en')} req/s, p99 ${ms(beside.phases.setUp.p99)} ms with set-up, ${ms(beside.phases.steady.p99)} steady`
    : `${Math.round(beside.result.requests.average).toLocaleString('en')} req/s, p99 ${beside.result.latency.p99} ms`;
  say(
    `target: ${target.what}: ${rps.toLocaleString('en')} req/s, ${latency}, ${failed} failed ` +
      `(bare route just before ${bare}; load ${load.toFixed(1)}): ${met ? 'met' : 'NOT met'}`,
  );
}
if (!keep) await rm(dir, { recursive: true, force: true });
