// Latency from a line appended to a watched auth.log to the mail accepted by the SMTP server: the
// real agent (its own process, tailing the file), a real nats-server (sync_interval: always), the
// alerter with digest window 0, a real PostgreSQL and the real test SMTP server. Lines are appended
// one at a time, each after the previous one's mail arrived. Target: p99 at most 1 s.
// Build first: npx tsc -b services/alerter services/agent services/cli
// Run: node bench/alerter/latency.mjs [--events 200]
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDb, migrateToLatest } from '@hostwatch/db';
import { generateCollectorKeyPair, generateHostKeyPair, writeKeyFile, writePublicKeyFile } from '@hostwatch/envelope';
import { findTools, freePort, startNatsServer, startPostgres } from '@hostwatch/local-servers';
import { startSmtpServer } from '@hostwatch/testkit';
import { buildAlerter, silentLog, startAlerter } from '@hostwatch/alerter';

const { values: opt } = parseArgs({ options: { events: { type: 'string', default: '200' } } });
const EVENTS = Number(opt.events);
const say = (line) => process.stdout.write(`${line}\n`);
const cli = fileURLToPath(new URL('../../services/cli/bin/hostwatch.js', import.meta.url));

const dir = await mkdtemp(join(tmpdir(), 'hostwatch-bench-latency-'));
const pgDir = await mkdtemp(join(tmpdir(), 'hostwatch-bench-latency-pg-'));
const tools = findTools();
const cluster = await startPostgres({ pgBin: tools.pgBin, dir: pgDir });
const nats = await startNatsServer({ binary: tools.natsServer, dir: join(dir, 'nats') });
const smtp = await startSmtpServer();
let agent;
let stopAlerter;
try {
  say(`hostwatch alert latency benchmark: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const url = await cluster.createDatabase('latency');
  await migrateToLatest(url);
  const db = createDb(url);
  const collector = generateCollectorKeyPair();
  const host = generateHostKeyPair('bench');
  await db.insertInto('hosts').values({ host_id: 'bench', status: 'approved' }).execute();
  await db.insertInto('host_keys').values({ host_id: 'bench', key_id: host.keyId, public_key: Buffer.from(host.publicKey), status: 'approved' }).execute();
  await db.destroy();
  await writeKeyFile(join(dir, 'host.key'), host);
  await writePublicKeyFile(join(dir, 'collector.pub'), collector);
  const rulesFile = join(dir, 'rules.xml');
  await writeFile(rulesFile, '<clients><client host="bench" mail="ops@example.com" /></clients>\n');
  const authLog = join(dir, 'auth.log');
  await writeFile(authLog, '');

  const parts = buildAlerter({
    natsUrl: nats.url, databaseUrl: url, collectorKeys: collector, rulesFile,
    email: { host: smtp.host, port: smtp.port, secure: false, user: undefined, password: undefined, from: 'bench@example.com', connectTimeoutMs: 5000, handoverTimeoutMs: 5000, finalReplyTimeoutMs: 600_000 },
    replica: 'bench', log: silentLog, clock: Date.now, digestWindowMs: 0, evaluationIntervalMs: 200,
  });
  stopAlerter = await startAlerter(parts);

  agent = spawn(process.execPath, [cli, 'agent'], {
    env: {
      ...process.env, LOG_LEVEL: 'warn', NATS_URL: nats.url, HOST_ID: 'bench', HOST_KEY_FILE: join(dir, 'host.key'),
      COLLECTOR_PUBLIC_KEY_FILE: join(dir, 'collector.pub'), AGENT_STATE_DIR: join(dir, 'agent'), AUTH_LOG_SOURCE: 'file',
      AUTH_LOG_PATHS: authLog, SSH_BATCH_WAIT: '10ms', STATS_INTERVAL: '1h', HEALTH_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  const waitForMail = async (port, deadlineMs) => {
    const start = performance.now();
    for (;;) {
      if (smtp.mails.some((m) => (m.parsed.text ?? '').includes(`port ${port} `))) return performance.now();
      if (performance.now() - start > deadlineMs) throw new Error(`no mail for port ${port} within ${deadlineMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const line = (port) => `${new Date().toLocaleString('en-US', { month: 'short' })} ${String(new Date().getDate()).padStart(2, ' ')} ${new Date().toTimeString().slice(0, 8)} bench sshd[${1000 + port}]: Failed password for root from 203.0.113.9 port ${port} ssh2\n`;

  // Warm up: the agent opens the file and the first mail goes through.
  await appendFile(authLog, line(39999));
  await waitForMail(39999, 60_000);

  const latencies = [];
  for (let i = 0; i < EVENTS; i++) {
    const port = 40000 + i;
    const t = performance.now();
    await appendFile(authLog, line(port));
    latencies.push((await waitForMail(port, 30_000)) - t);
  }
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  say(`${EVENTS} events, one mail each: p50 ${Math.round(q(50))} ms, p99 ${Math.round(q(99))} ms, max ${Math.round(latencies.at(-1))} ms`);
  say(`target: auth.log line to mail accepted, p99 <= 1 s (digest window 0, ${EVENTS} events): p50 ${Math.round(q(50))} ms, p99 ${Math.round(q(99))} ms: ${q(99) <= 1000 ? 'met' : 'NOT met'}`);
} finally {
  agent?.kill('SIGTERM');
  await stopAlerter?.();
  await smtp.stop();
  await nats.stop();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(pgDir, { recursive: true, force: true });
}
