// Footprint of the hostwatch agent beside Debian's prometheus-node-exporter scraped as often, both
// running at the same time on this machine: steady RSS and CPU (% of one core) at a 1 s and a 10 s
// interval. Build first (npx tsc -b services/cli); prometheus-node-exporter comes from Debian.
// Both start together and are measured after the same warm-up (WARMUP s: start-up, and the
// garbage collections V8 runs some seconds after it), for `--seconds` each. CPU time is read in
// nanoseconds from the scheduler (/proc/PID/task/*/schedstat, every thread): at a 10 s interval
// each uses a few hundred ms in 5 minutes, which the 10 ms clock ticks of /proc/PID/stat resolve
// to a few percent only (those are printed too).
// Run: node bench/agent-footprint/run.mjs [--seconds 300] [--warmup 30]   (each interval runs that long)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const cli = join(root, 'services', 'cli', 'bin', 'hostwatch.js');
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '300' }, warmup: { type: 'string', default: '30' } },
});
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const EXPORTER = '/usr/bin/prometheus-node-exporter';

const { findTools, freePort, startNatsServer } = await import('@hostwatch/local-servers');
const { generateCollectorKeyPair, generateHostKeyPair, writeKeyFile, writePublicKeyFile } = await import(
  '@hostwatch/envelope'
);

function say(line) {
  process.stderr.write(`agent-footprint: ${line}\n`);
}

if (!existsSync(EXPORTER)) {
  say('installing prometheus-node-exporter from Debian (the peer)');
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'prometheus-node-exporter'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) {
    say('could not install prometheus-node-exporter; run as root or install it first');
    process.exit(1);
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds of a process's live threads, from the scheduler's nanosecond counters. */
function schedSeconds(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e9;
}

/** CPU seconds (scheduler, and utime + stime in clock ticks) of a process, and its RSS in MiB, from /proc. */
function sample(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  return { cpu: schedSeconds(pid), ticks, rss };
}

/** Runs both for `seconds` at `interval` s: the agent sampling, the exporter scraped as often. */
async function measure(interval, dir, natsUrl) {
  const agent = spawn(process.execPath, [cli, 'agent'], {
    env: {
      ...process.env,
      NATS_URL: natsUrl,
      HOST_ID: 'bench-01',
      HOST_KEY_FILE: join(dir, 'host.key'),
      COLLECTOR_PUBLIC_KEY_FILE: join(dir, 'collector.pub'),
      AGENT_STATE_DIR: join(dir, `state-${interval}`),
      AUTH_LOG_PATHS: join(dir, 'auth.log'),
      STATS_INTERVAL: `${interval}s`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const port = await freePort();
  const exporter = spawn(EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const scrape = setInterval(() => {
    fetch(`http://127.0.0.1:${port}/metrics`).then((res) => res.text()).catch(() => undefined);
  }, interval * 1000);
  // Skip the start-up of both: measure the steady state from here on.
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const first = { agent: sample(agent.pid), exporter: sample(exporter.pid) };
  const rss = { agent: [], exporter: [] };
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1_000));
    rss.agent.push(sample(agent.pid).rss);
    rss.exporter.push(sample(exporter.pid).rss);
    if (rss.agent.length % 30 === 0) say(`${interval} s interval: ${rss.agent.length} of ${seconds} s`);
  }
  const last = { agent: sample(agent.pid), exporter: sample(exporter.pid) };
  const wall = (Date.now() - started) / 1000;
  clearInterval(scrape);
  agent.kill('SIGTERM');
  exporter.kill('SIGTERM');
  await Promise.all([agent, exporter].map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
  const steady = (xs) => xs.slice(Math.floor(xs.length / 2)).reduce((a, b) => a + b, 0) / Math.ceil(xs.length / 2);
  return {
    interval,
    agent: {
      rss: steady(rss.agent),
      maxRss: Math.max(...rss.agent),
      cpu: ((last.agent.cpu - first.agent.cpu) / wall) * 100,
      ticks: ((last.agent.ticks - first.agent.ticks) / wall) * 100,
    },
    exporter: {
      rss: steady(rss.exporter),
      maxRss: Math.max(...rss.exporter),
      cpu: ((last.exporter.cpu - first.exporter.cpu) / wall) * 100,
      ticks: ((last.exporter.ticks - first.exporter.ticks) / wall) * 100,
    },
  };
}

const dir = await mkdtemp(join(tmpdir(), 'hostwatch-footprint-'));
const nats = await startNatsServer({ binary: findTools().natsServer, dir: join(dir, 'nats'), port: await freePort() });
try {
  const host = generateHostKeyPair('bench-01');
  const collector = generateCollectorKeyPair();
  await writeKeyFile(join(dir, 'host.key'), host);
  await writePublicKeyFile(join(dir, 'collector.pub'), collector);
  await writeFile(join(dir, 'auth.log'), '');
  const { connect } = await import('@nats-io/transport-node');
  const { ensureTopology } = await import('@hostwatch/nats');
  const nc = await connect({ servers: nats.url });
  await ensureTopology(nc);
  await nc.close();

  const results = [];
  for (const interval of [1, 10]) {
    say(`measuring at a ${interval} s interval for ${seconds} s`);
    results.push(await measure(interval, dir, nats.url));
  }
  const f = (n) => n.toFixed(2);
  const f3 = (n) => n.toFixed(3);
  console.log(`# Agent footprint (${seconds} s per interval after ${warmup} s of warm-up; ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}; load ${loadavg()[0].toFixed(1)})`);
  console.log('| interval | agent RSS MiB (steady / max) | agent CPU % of a core (clock ticks) | node_exporter RSS MiB (steady / max) | node_exporter CPU % (clock ticks) | agent CPU / node_exporter CPU |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.interval} s | ${f(r.agent.rss)} / ${f(r.agent.maxRss)} | ${f3(r.agent.cpu)} (${f(r.agent.ticks)}) | ${f(r.exporter.rss)} / ${f(r.exporter.maxRss)} | ${f3(r.exporter.cpu)} (${f(r.exporter.ticks)}) | ${f(r.agent.cpu / Math.max(r.exporter.cpu, 0.001))} |`,
    );
  }
  console.log('Targets: steady agent RSS at most 55 MiB; agent CPU at most half of node_exporter\'s at the same interval.');
  for (const r of results) {
    console.log(
      `target: agent steady RSS <= 55 MiB at a ${r.interval} s interval: ${f(r.agent.rss)} MiB: ${r.agent.rss <= 55 ? 'met' : 'NOT met'}`,
    );
    const ratio = r.agent.cpu / Math.max(r.exporter.cpu, 0.001);
    console.log(
      `target: agent CPU <= half of node_exporter's at a ${r.interval} s interval: ${f3(r.agent.cpu)} % vs ${f3(r.exporter.cpu)} % (${f(ratio)}x): ${ratio <= 0.5 ? 'met' : 'NOT met'}`,
    );
  }
} finally {
  await nats.stop();
  await rm(dir, { recursive: true, force: true });
}
