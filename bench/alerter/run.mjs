// Alerter evaluation throughput: HOSTS hosts with 5 threshold rules each (memory, cpu, swap, disk,
// load), stats messages evaluated (1) by the evaluator alone, in batches as the consumer hands them
// over, beside peers measured in the same run on their own databases: the same evaluator fed
// other batch sizes (500 was the consumer's former one) and fed one message per transaction (the
// naive path, on the first NAIVE messages); (2a) by the consumer's work without JetStream (open,
// validate, evaluate, commit; the next batch opened while the previous one commits), beside the
// peers that do one stage after the other and that open a batch in one go; and (2b) through the whole service from a backlog in
// the stream: JetStream consumer, open, validate, evaluate, commit, ack. The first round of
// messages (every host key derived once, as after any start) is measured apart from the later
// rounds. Real PostgreSQL and nats-server (sync_interval: always).
// Besides wall-clock rates it prints CPU time (this process, and every PostgreSQL process of the
// cluster from /proc, and nats-server's for the whole pipeline), since the machine may be shared. Target: 20,000 stats messages/s.
// Build first: npx tsc -b services/alerter
// Run: node bench/alerter/run.mjs [--hosts 10000] [--rounds 5] [--batch 5000] [--peers 500,2000] [--naive 2000] [--only evaluator|pipeline|service] [--profile DIR] [--node-flags alerter|none]
// (--only service: the whole service alone, without the consumer's peers run without JetStream)
// --profile DIR writes a V8 CPU profile of each measured section (and only of it, not of sealing or
// publishing) to DIR, named after the section; `node --cpu-prof` would mix in the set-up.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { natsCpuSeconds, postgresCpuSeconds, threadCpuSeconds } from './cpu-seconds.mjs';
import { Session } from 'node:inspector/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { subjectFor } from '@hostwatch/contract';
import { createDb, migrateToLatest } from '@hostwatch/db';
import { Opener, Sealer, generateCollectorKeyPair, generateHostKeyPair } from '@hostwatch/envelope';
import { findTools, startNatsServer, startPostgres } from '@hostwatch/local-servers';
import { ensureTopology } from '@hostwatch/nats';
import { ALERTER_NODE_FLAGS, BatchPipeline, Evaluator, PgKeyRegistry, buildAlerter, openBatch, readRules, silentLog, startAlerter } from '@hostwatch/alerter';

const { values: opt } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '5' }, batch: { type: 'string', default: '5000' },
    peers: { type: 'string', default: '500,2000' }, naive: { type: 'string', default: '2000' }, only: { type: 'string', default: 'all' },
    profile: { type: 'string' }, 'node-flags': { type: 'string', default: 'alerter' },
  },
});
// The service runs in this process, so this process runs with the Node flags it is deployed with
// (ALERTER_NODE_FLAGS): it starts itself again with them unless they are given. `--node-flags none`
// runs with the flags it was started with, to compare.
const missingFlags = opt['node-flags'] === 'none' ? [] : ALERTER_NODE_FLAGS.filter((f) => !process.execArgv.includes(f));
if (missingFlags.length > 0) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...missingFlags, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
const NAIVE = Number(opt.naive);
const HOSTS = Number(opt.hosts);
const ROUNDS = Number(opt.rounds);
const BATCH = Number(opt.batch);
const say = (line) => process.stdout.write(`${line}\n`);
const rate = (n, ms) => Math.round((n * 1000) / ms).toLocaleString('en-US');
const T0 = Date.parse('2026-11-23T10:00:00Z');

let profiles = 0;

// Starts a CPU profile of this thread when --profile is given, and of each worker thread started
// meanwhile whose script matches `workers` (the service's stream worker); the function returned
// stops them and keeps them for writing to DIR.
async function profileSection({ workers } = {}) {
  if (!opt.profile) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  // Worker threads are profiled through the NodeWorker domain, one inspector session per worker.
  const threads = [];
  let nextId = 1;
  const replies = new Map();
  const toWorker = (thread, method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      replies.set(id, { resolve, reject });
      session.post('NodeWorker.sendMessageToWorker', { sessionId: thread.sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  if (workers) {
    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      const m = JSON.parse(params.message);
      const waiting = replies.get(m.id);
      if (!waiting) return;
      replies.delete(m.id);
      if (m.error) waiting.reject(new Error(m.error.message));
      else waiting.resolve(m.result);
    });
    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      const thread = { sessionId: params.sessionId, name: params.workerInfo.url.split('/').pop().replace(/\.m?js$/, '') };
      // Workers started from now on wait for this; any other is let go at once.
      if (!workers.test(params.workerInfo.url)) {
        void toWorker(thread, 'Runtime.runIfWaitingForDebugger').catch(() => undefined);
        return;
      }
      threads.push(thread);
      thread.started = toWorker(thread, 'Profiler.enable')
        .then(() => toWorker(thread, 'Profiler.start'))
        .then(() => toWorker(thread, 'Runtime.runIfWaitingForDebugger'));
    });
    await session.post('NodeWorker.enable', { waitForDebuggerOnStart: true });
  }
  return async (label, cut) => {
    const stopped = [['', (await session.post('Profiler.stop')).profile]];
    for (const thread of threads) {
      await thread.started;
      stopped.push([` (${thread.name} thread)`, (await toWorker(thread, 'Profiler.stop')).profile]);
    }
    session.disconnect();
    // Written at the end, so writing one does not take time from the section measured after it.
    const keep = (name, p) => {
      profiles += 1;
      unwritten.push({ file: join(opt.profile, `${profiles}-${name.trim().replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.cpuprofile`), profile: p });
    };
    for (const [thread, profile] of stopped) {
      if (!cut) keep(label + thread, profile);
      else for (const [name, p] of cutProfile(profile, cut.at)) keep(`${label}, ${name === 'before' ? cut.before : cut.after}${thread}`, p);
    }
  };
}

// Splits a V8 CPU profile at `atUs` (microseconds on the monotonic clock, as process.hrtime and the profiler's timestamps).
function cutProfile(profile, atUs) {
  const parts = { before: { samples: [], timeDeltas: [], startTime: profile.startTime, endTime: atUs }, after: { samples: [], timeDeltas: [], startTime: atUs, endTime: profile.endTime } };
  let t = profile.startTime;
  const last = { before: profile.startTime, after: atUs };
  profile.samples.forEach((sample, i) => {
    t += profile.timeDeltas[i];
    const side = t < atUs ? 'before' : 'after';
    parts[side].samples.push(sample);
    parts[side].timeDeltas.push(t - last[side]);
    last[side] = t;
  });
  return Object.entries(parts).map(([name, p]) => [name, { nodes: profile.nodes, ...p }]);
}
const unwritten = [];
async function writeProfiles() {
  for (const { file, profile } of unwritten.splice(0)) await writeFile(file, JSON.stringify(profile));
}

// Runs `work` and reports messages per second of wall clock and of CPU time (this process plus PostgreSQL).
async function measure(label, n, work, { nats: withNats = false } = {}) {
  const profiled = await profileSection();
  const nats0 = withNats ? await natsCpuSeconds(natsDir) : 0;
  const pg0 = await postgresCpuSeconds(pgDir);
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  await work();
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  await profiled(label);
  const nodeS = (cpu.user + cpu.system) / 1e6;
  const pgS = (await postgresCpuSeconds(pgDir)) - pg0;
  const natsS = withNats ? (await natsCpuSeconds(natsDir)) - nats0 : 0;
  const natsPart = withNats ? ` + ${natsS.toFixed(2)} s nats-server` : '';
  say(`${label}: ${n} messages in ${Math.round(ms)} ms = ${rate(n, ms)} messages/s wall clock; CPU ${nodeS.toFixed(2)} s node + ${pgS.toFixed(2)} s PostgreSQL${natsPart} = ${rate(n, (nodeS + pgS + natsS) * 1000)} messages per CPU-second (${rate(n, Math.max(nodeS, pgS, natsS) * 1000)}/s if each ran on a core of its own)`);
  return ms;
}

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
const SYNC = 'always';
const natsDir = join(dir, 'nats');
const nats = await startNatsServer({ binary: tools.natsServer, dir: natsDir, syncInterval: SYNC });
try {
  say(`hostwatch alerter benchmark: ${new Date().toISOString()}, node ${process.version}${process.execArgv.length > 0 ? ` (${process.execArgv.join(' ')})` : ''}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  say(`${HOSTS} hosts x 5 rules, ${ROUNDS} stats messages per host, batches of ${BATCH}; nats-server's CPU is counted for the whole pipeline only`);
  const rulesFile = join(dir, 'rules.xml');
  const clients = Array.from({ length: HOSTS }, (_, i) => `  <client host="h${i}" mail="ops${i}@example.com"><alert type="memory" limit="90%" /><alert type="cpu" limit="95%" /><alert type="swap" limit="80%" /><alert type="disk" limit="90%" /><alert type="load" limit="4" /></client>`);
  await writeFile(rulesFile, `<clients>\n${clients.join('\n')}\n</clients>\n`);
  let t = performance.now();
  const { rules } = await readRules(rulesFile, { maxBytes: 64 * 1024 * 1024 });
  say(`rules file: ${HOSTS} clients parsed and validated in ${Math.round(performance.now() - t)} ms`);

  // (1) The evaluator alone, beside its peers.
  if (opt.only !== 'pipeline' && opt.only !== 'service') {
    const items = [];
    for (let r = 0; r < ROUNDS; r++) for (let h = 0; h < HOSTS; h++) items.push({ hostId: `h${h}`, messageId: `h${h}:${r}`, message: stats(`h${h}`, r) });
    const runEvaluator = async (name, batch, messages, quiet = false) => {
      const url = await cluster.createDatabase(name);
      await migrateToLatest(url);
      const db = createDb(url);
      const evaluator = new Evaluator({ db, rules: () => rules, clock: () => T0 + ROUNDS * 10_000, log: silentLog });
      const label = batch === 1 ? `  peer, one transaction per message (first ${messages.length})` : `${batch === BATCH ? 'evaluator alone' : '  peer, same evaluator'}, batches of ${batch}`;
      const work = async () => {
        for (let i = 0; i < messages.length; i += batch) await evaluator.handle(messages.slice(i, i + batch));
      };
      if (quiet) {
        await work();
        await db.destroy();
        return;
      }
      await measure(label, messages.length, work);
      const queued = await db.selectFrom('alerter_outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      const alerts = await db.selectFrom('alerter_alerts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      say(`    alert series pending or firing: ${alerts?.n}, mails queued: ${queued?.n}`);
      await db.destroy();
    };
    // Warm-up on a database of its own, not printed: whichever ran first would otherwise pay for the JIT.
    await runEvaluator('warmup', BATCH, items.slice(0, 2 * HOSTS), true);
    await runEvaluator('evaluator', BATCH, items);
    for (const peer of opt.peers.split(',').filter(Boolean).map(Number)) if (peer !== BATCH) await runEvaluator(`evaluator_${peer}`, peer, items);
    if (NAIVE > 0) await runEvaluator('evaluator_naive', 1, items.slice(0, NAIVE));
  }

  if (opt.only !== 'evaluator') {
    // (2) The whole pipeline, from a backlog in the stream.
    const url = await cluster.createDatabase('pipeline');
    await migrateToLatest(url);
    const db = createDb(url);
    const collector = generateCollectorKeyPair();
    const sealers = [];
    const hostKeys = [];
    const enroll = async (database, keys) => {
      await database.insertInto('hosts').values(keys.map((k) => ({ host_id: k.hostId, status: 'approved' }))).execute();
      await database.insertInto('host_keys').values(keys.map((k) => ({ host_id: k.hostId, key_id: k.keyId, public_key: Buffer.from(k.publicKey), status: 'approved' }))).execute();
    };
    for (let h = 0; h < HOSTS; h += 1000) {
      const keys = Array.from({ length: Math.min(1000, HOSTS - h) }, (_, i) => generateHostKeyPair(`h${h + i}`));
      await enroll(db, keys);
      hostKeys.push(keys);
      for (const k of keys) sealers.push(new Sealer(k, collector));
    }
    // Every message sealed once, then fed both ways: straight into the consumer's batch pipeline
    // (no JetStream), and published to the stream for the whole service to consume.
    const sealed = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const sealer of sealers) {
        const subject = subjectFor(sealer.hostId, 'stats');
        const id = `${sealer.hostId}:b:${r}`;
        sealed.push({ subject, id, ...sealer.seal(subject, id, Buffer.from(JSON.stringify(stats(sealer.hostId, r)))) });
      }
    }
    const total = sealed.length;

    // (2a) The consumer's work without JetStream: open, validate, evaluate, commit, as the service
    // does it (the next batch opened while the previous one is recorded), on a database of its own;
    // beside it, the peer that does one stage after the other (the consumer before the overlap), and the
    // overlapped consumer that opened each batch in one go (before openSlice).
    const runDirect = async (name, overlapped, openSlice) => {
      const directUrl = await cluster.createDatabase(name);
      await migrateToLatest(directUrl);
      const direct = createDb(directUrl);
      for (const keys of hostKeys) await enroll(direct, keys);
      const registry = new PgKeyRegistry(direct, 60_000);
      const opener = new Opener({ collectorKeys: collector, registry });
      const evaluator = new Evaluator({ db: direct, rules: () => rules, clock: Date.now, log: silentLog });
      const pipeline = new BatchPipeline({ opener, prefetchKeys: (pairs) => registry.prefetch(pairs), evaluator, log: silentLog, batchSize: BATCH, ...(openSlice === undefined ? {} : { openSlice }) });
      let acked = 0;
      const feed = async (list) => {
        if (overlapped) {
          for (const m of list) await pipeline.push({ data: m.data, headers: m.headers, subject: m.subject, ack: () => acked++, nak: () => undefined, term: () => undefined });
          await pipeline.drain();
          return;
        }
        for (let i = 0; i < list.length; i += BATCH) {
          const batch = list.slice(i, i + BATCH);
          await registry.prefetch(batch.map((m) => [m.headers['Hostwatch-Host'], m.headers['Hostwatch-Host-Key']]));
          const opened = await openBatch(batch, opener);
          await evaluator.handle(opened.items);
          acked += opened.items.length;
        }
      };
      const label = !overlapped
        ? '  peer, consumer without JetStream, one stage after the other'
        : openSlice === 0
          ? '  peer, consumer without JetStream, overlapped, each batch opened in one go (before the slices)'
          : 'consumer without JetStream (open, validate, evaluate, commit; next batch opened during the commit)';
      await measure(`${label}, first round (every host key derived, as after a start)`, HOSTS, () => feed(sealed.slice(0, HOSTS)));
      await measure(`${label}, later rounds`, total - HOSTS, () => feed(sealed.slice(HOSTS)));
      if (acked !== total) throw new Error(`acked ${acked} of ${total}`);
      await direct.destroy();
    };
    if (opt.only !== 'service') {
      await runDirect('direct_overlapped', true);
      await runDirect('direct_sequential', false);
      await runDirect('direct_unsliced', true, 0);
    }

    // (2b) The whole service from a backlog in the stream.
    const nc = await connect({ servers: nats.url });
    await ensureTopology(nc);
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const stream = (await jsm.streams.info('HOSTWATCH')).config;
    say(`stream HOSTWATCH: ${stream.retention} retention, ${stream.storage} storage, nats-server sync_interval ${SYNC} (libs/local-servers)`);
    t = performance.now();
    let inFlight = [];
    for (const m of sealed) {
      const h = natsHeaders();
      for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
      inFlight.push(js.publish(m.subject, m.data, { headers: h, msgID: m.id, timeout: 60_000 }));
      if (inFlight.length >= 500) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    say(`published a backlog of ${total} sealed stats messages in ${Math.round(performance.now() - t)} ms`);

    const parts = buildAlerter({
      natsUrl: nats.url, databaseUrl: url, collectorKeys: collector, rulesFile, rulesMaxBytes: 64 * 1024 * 1024,
      email: { host: '127.0.0.1', port: 9, secure: false, user: undefined, password: undefined, from: 'bench@example.com', connectTimeoutMs: 1000, handoverTimeoutMs: 1000, finalReplyTimeoutMs: 1000 },
      replica: 'bench', log: silentLog, clock: Date.now, emailRetryMinMs: 3_600_000, batchSize: BATCH,
    });
    // The ack floor, and CPU time at its marks, are watched from a worker thread (ack-floor-watch.mjs),
    // whose polls are not held up by the service's work on this thread. (The service runs in this
    // process, so node's CPU includes the watcher's polls; the CPU by thread shows them apart.)
    const watch = () => {
      const worker = new Worker(new URL('./ack-floor-watch.mjs', import.meta.url), { workerData: { url: nats.url, marks: [HOSTS, total], near: 2 * BATCH, pgDir, natsDir } });
      const events = [];
      let wake = () => undefined;
      worker.on('message', (m) => {
        events.push(m);
        wake();
      });
      worker.on('error', (err) => {
        events.push({ err });
        wake();
      });
      const next = async () => {
        while (events.length === 0) await new Promise((resolve) => (wake = resolve));
        const m = events.shift();
        if (m.err) throw m.err;
        return m;
      };
      return { next, done: () => worker.terminate() };
    };
    // Started outside the measurement (parsing 10,000 clients takes seconds); what it acked while starting is not counted.
    const watcher = watch();
    const profiled = await profileSection({ workers: /stream-worker\.js$/ });
    // Threads started by the service (its stream worker) are those not there before it started.
    const threadsBefore = await threadCpuSeconds();
    const stop = await startAlerter(parts);
    const start = await watcher.next();
    const firstRound = await watcher.next();
    const last = await watcher.next();
    await watcher.done();
    // One profile, cut at the first-round mark afterwards (stopping and starting one in between would take this thread's time).
    await profiled('whole pipeline', { at: firstRound.monoUs, before: 'start and first round', after: 'later rounds' });
    const span = (label, n, from, to) => {
      const ms = to.at - from.at;
      const nodeS = to.nodeS - from.nodeS;
      const pgS = to.pgS - from.pgS;
      const natsS = to.natsS - from.natsS;
      say(`${label}: ${n} messages in ${Math.round(ms)} ms = ${rate(n, ms)} messages/s wall clock; CPU ${nodeS.toFixed(2)} s node + ${pgS.toFixed(2)} s PostgreSQL + ${natsS.toFixed(2)} s nats-server = ${rate(n, (nodeS + pgS + natsS) * 1000)} messages per CPU-second`);
      return ms;
    };
    span('whole pipeline (consume, open, validate, evaluate, commit, ack), every round', total - start.floor, start, last);
    span('  of which the first round (every host key derived, as after a start)', HOSTS - start.floor, start, firstRound);
    const laterMs = span('  of which the rounds after the first', total - HOSTS, firstRound, last);
    // Which thread bounds it: the service's main thread (the process id), its stream worker, this
    // benchmark's ack-floor watcher, and the threads Node and V8 start with the process (V8's garbage
    // collection helpers, libuv's pool).
    const threadName = (tid) =>
      Number(tid) === process.pid ? 'main' : tid === last.watcherTid ? 'ack-floor watcher' : tid in threadsBefore ? `helper ${tid}` : `stream worker ${tid}`;
    const perThread = Object.entries(last.threads)
      .map(([tid, s]) => [tid, s - (firstRound.threads[tid] ?? 0)])
      .filter(([, s]) => s >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    say(`    node CPU by thread in those rounds: ${perThread.map(([tid, s]) => `${threadName(tid)} ${s.toFixed(2)} s (${Math.round((s * 1000 * 100) / laterMs)} % of the wall clock)`).join(', ')}`);
    const kept = ((total - HOSTS) * 1000) / laterMs;
    say(`target: keeps up with 20,000 stats messages/s (${HOSTS} hosts x 5 rules, whole pipeline, rounds after the first): ${rate(total - HOSTS, laterMs)} messages/s: ${kept >= 20_000 ? 'met' : 'NOT met'}`);
    const sizes = (await parts.metrics.batchSize.get()).values;
    const sum = sizes.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    const count = sizes.find((v) => v.metricName?.endsWith('_count'))?.value ?? 1;
    say(`  ${count} transactions, ${Math.round(sum / count)} messages each on average`);
    await stop();
    await nc.close();
    await db.destroy();
  }
  await writeProfiles();
} finally {
  await nats.stop();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
  await rm(pgDir, { recursive: true, force: true });
}
