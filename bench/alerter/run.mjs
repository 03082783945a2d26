// Alerter evaluation throughput: HOSTS hosts with 5 threshold rules each (memory, cpu, swap, disk,
// load), stats messages evaluated (1) by the evaluator alone, in batches as the consumer hands them
// over, and (2) through the whole pipeline: JetStream consumer, open, validate, evaluate, commit, ack.
// Real PostgreSQL and nats-server (sync_interval: always). Target: 20,000 stats messages/s.
// Build first: npx tsc -b services/alerter services/cli
// Run: node bench/alerter/run.mjs [--hosts 10000] [--rounds 5] [--batch 500] [--only evaluator]
import { Buffer } from 'node:buffer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { subjectFor } from '@hostwatch/contract';
import { createDb, migrateToLatest } from '@hostwatch/db';
import { Sealer, generateCollectorKeyPair, generateHostKeyPair } from '@hostwatch/envelope';
import { findTools, startNatsServer, startPostgres } from '@hostwatch/local-servers';
import { ensureTopology } from '@hostwatch/nats';
import { Evaluator, buildAlerter, readRules, silentLog, startAlerter } from '@hostwatch/alerter';

const { values: opt } = parseArgs({
  options: { hosts: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '5' }, batch: { type: 'string', default: '500' }, only: { type: 'string', default: 'all' } },
});
const HOSTS = Number(opt.hosts);
const ROUNDS = Number(opt.rounds);
const BATCH = Number(opt.batch);
const say = (line) => process.stdout.write(`${line}\n`);
const rate = (n, ms) => Math.round((n * 1000) / ms).toLocaleString('en-US');
const T0 = Date.parse('2026-11-23T10:00:00Z');

function stats(hostId, round) {
  // One host in a hundred runs hot, so alert state and mail are written too.
  const hot = Number(hostId.slice(1)) % 100 === 0;
  const mem = hot ? 95 : 40;
  return {
    v: 1, kind: 'stats', hostId, bootId: 'b', seq: round, time: new Date(T0 + round * 10_000).toISOString(), intervalMs: 10_000,
    hostname: hostId, os: 'linux', addresses: [`10.${(Number(hostId.slice(1)) >> 8) & 255}.${Number(hostId.slice(1)) & 255}.1`],
    cpu: { count: 4, usedPercent: hot ? 99 : 20, cores: [20, 20, 20, 20] },
    memory: { totalBytes: 8_000_000_000, availableBytes: 8_000_000_000 - mem * 80_000_000, usedPercent: mem },
    swap: { totalBytes: 1_000_000_000, freeBytes: 1_000_000_000, usedPercent: 0 },
    load: [0.5, 0.5, 0.5], uptimeSeconds: 1000,
    disks: [{ mount: '/', device: '/dev/sda1', fstype: 'ext4', totalBytes: 100_000_000_000, availableBytes: 50_000_000_000, usedPercent: 50 }],
    network: [], agent: { version: 'bench', unparsedLines: 0, unparsedSamples: [], spoolDepth: 0, spoolFull: false, collectorErrors: {} },
  };
}

const dir = await mkdtemp(join(tmpdir(), 'hostwatch-bench-alerter-'));
const pgDir = await mkdtemp(join(tmpdir(), 'hostwatch-bench-alerter-pg-'));
const tools = findTools();
const cluster = await startPostgres({ pgBin: tools.pgBin, dir: pgDir });
const nats = await startNatsServer({ binary: tools.natsServer, dir: join(dir, 'nats') });
try {
  say(`hostwatch alerter benchmark: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  say(`${HOSTS} hosts x 5 rules, ${ROUNDS} stats messages per host, batches of ${BATCH}`);
  const rulesFile = join(dir, 'rules.xml');
  const clients = Array.from({ length: HOSTS }, (_, i) => `  <client host="h${i}" mail="ops${i}@example.com"><alert type="memory" limit="90%" /><alert type="cpu" limit="95%" /><alert type="swap" limit="80%" /><alert type="disk" limit="90%" /><alert type="load" limit="4" /></client>`);
  await writeFile(rulesFile, `<clients>\n${clients.join('\n')}\n</clients>\n`);
  let t = performance.now();
  const { rules } = await readRules(rulesFile, { maxBytes: 64 * 1024 * 1024 });
  say(`rules file: ${HOSTS} clients parsed and validated in ${Math.round(performance.now() - t)} ms`);

  // (1) The evaluator alone.
  const evalUrl = await cluster.createDatabase('evaluator');
  await migrateToLatest(evalUrl);
  const evalDb = createDb(evalUrl);
  const evaluator = new Evaluator({ db: evalDb, rules: () => rules, clock: () => T0 + ROUNDS * 10_000, log: silentLog });
  const items = [];
  for (let r = 0; r < ROUNDS; r++) for (let h = 0; h < HOSTS; h++) items.push({ hostId: `h${h}`, messageId: `h${h}:${r}`, message: stats(`h${h}`, r) });
  t = performance.now();
  for (let i = 0; i < items.length; i += BATCH) await evaluator.handle(items.slice(i, i + BATCH));
  const evalMs = performance.now() - t;
  say(`evaluator alone: ${items.length} messages in ${Math.round(evalMs)} ms = ${rate(items.length, evalMs)} messages/s`);
  const queued = await evalDb.selectFrom('alerter_outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  say(`  mails queued: ${queued?.n}`);
  await evalDb.destroy();

  if (opt.only !== 'evaluator') {
    // (2) The whole pipeline, from a backlog in the stream.
    const url = await cluster.createDatabase('pipeline');
    await migrateToLatest(url);
    const db = createDb(url);
    const collector = generateCollectorKeyPair();
    const sealers = [];
    for (let h = 0; h < HOSTS; h += 1000) {
      const keys = Array.from({ length: Math.min(1000, HOSTS - h) }, (_, i) => generateHostKeyPair(`h${h + i}`));
      await db.insertInto('hosts').values(keys.map((k) => ({ host_id: k.hostId, status: 'approved' }))).execute();
      await db.insertInto('host_keys').values(keys.map((k) => ({ host_id: k.hostId, key_id: k.keyId, public_key: Buffer.from(k.publicKey), status: 'approved' }))).execute();
      for (const k of keys) sealers.push(new Sealer(k, collector));
    }
    const nc = await connect({ servers: nats.url });
    await ensureTopology(nc);
    const js = jetstream(nc);
    t = performance.now();
    let inFlight = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const sealer of sealers) {
        const subject = subjectFor(sealer.hostId, 'stats');
        const id = `${sealer.hostId}:b:${r}`;
        const sealed = sealer.seal(subject, id, Buffer.from(JSON.stringify(stats(sealer.hostId, r))));
        const h = natsHeaders();
        for (const [k, v] of Object.entries(sealed.headers)) h.set(k, v);
        inFlight.push(js.publish(subject, sealed.data, { headers: h, msgID: id, timeout: 60_000 }));
        if (inFlight.length >= 500) {
          await Promise.all(inFlight);
          inFlight = [];
        }
      }
    }
    await Promise.all(inFlight);
    const total = ROUNDS * HOSTS;
    say(`published a backlog of ${total} sealed stats messages in ${Math.round(performance.now() - t)} ms`);

    const parts = buildAlerter({
      natsUrl: nats.url, databaseUrl: url, collectorKeys: collector, rulesFile, rulesMaxBytes: 64 * 1024 * 1024,
      email: { host: '127.0.0.1', port: 9, secure: false, user: undefined, password: undefined, from: 'bench@example.com', timeoutMs: 1000 },
      replica: 'bench', log: silentLog, clock: Date.now, emailRetryMinMs: 3_600_000,
    });
    const jsm = await jetstreamManager(nc);
    t = performance.now();
    const stop = await startAlerter(parts);
    for (;;) {
      const info = await jsm.consumers.info('HOSTWATCH', 'alerter');
      if (info.ack_floor.stream_seq >= total) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pipeMs = performance.now() - t;
    say(`whole pipeline (consume, open, validate, evaluate, commit, ack): ${total} messages in ${Math.round(pipeMs)} ms = ${rate(total, pipeMs)} messages/s`);
    const sizes = (await parts.metrics.batchSize.get()).values;
    const sum = sizes.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    const count = sizes.find((v) => v.metricName?.endsWith('_count'))?.value ?? 1;
    say(`  ${count} transactions, ${Math.round(sum / count)} messages each on average`);
    await stop();
    await nc.close();
    await db.destroy();
  }
} finally {
  await nats.stop();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(pgDir, { recursive: true, force: true });
}
