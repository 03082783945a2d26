// Ingest benchmark: write strategies side by side, then whole drains and sustained load (the load
// generator is `hostwatch simulate`, as its own process), all on this machine in one run, against
// a real PostgreSQL (fsync and synchronous_commit on) and a real nats-server, once per JetStream
// durability setting: `1s` (the replicated cluster's: an ack means two of three servers wrote it)
// and `always` (one server: an fsync before every ack). Each drain is printed beside a
// one-INSERT-per-message consumer measured on the same server. docs/ingest.md keeps the figures.
//
//   node bench/ingest/run.mjs [--rows 30000] [--backlog 100000] [--naive 3000] [--hosts 20000] [--seconds 20]
//                             [--nats-sync 1s,always] [--writers 2] [--only all|writes|jetstream|drain|sustained]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONSUMER_SPECS, STREAM_NAME, streamSpec, validateMessage } from '@hostwatch/contract';
import { migrateToLatest } from '@hostwatch/db';
import {
  Opener,
  MemoryKeyRegistry,
  formatPublicKeyFile,
  generateCollectorKeyPair,
  generateHostKeyPair,
  publicKeyInfo,
} from '@hostwatch/envelope';
import { FleetSimulator, readIngestConfig, silentLog, startIngestService } from '@hostwatch/ingest';
import { findTools, startNatsServer, startPostgres } from '@hostwatch/local-servers';
import { connectWithBackoff, ensureConsumer, ensureStream } from '@hostwatch/nats';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import {
  BENCH_TABLE,
  copyDirect,
  copyViaStaging,
  insertPerRow,
  insertUnnest,
  insertValues,
  row,
} from './write-strategies.mjs';

const { values: opt } = parseArgs({
  options: {
    rows: { type: 'string', default: '30000' },
    backlog: { type: 'string', default: '100000' },
    naive: { type: 'string', default: '3000' },
    hosts: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '20' },
    'nats-sync': { type: 'string', default: '1s,always' },
    writers: { type: 'string', default: '2' },
    only: { type: 'string', default: 'all' },
  },
});
const ROWS = Number(opt.rows);
const BACKLOG = Number(opt.backlog);
const NAIVE = Number(opt.naive);
const HOSTS = Number(opt.hosts);
const SECONDS = Number(opt.seconds);
const say = (line) => process.stdout.write(`${line}\n`);
const rate = (n, ms) => Math.round((n * 1000) / ms).toLocaleString('en-US');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = await mkdtemp(join(tmpdir(), 'hostwatch-bench-ingest-'));
const tools = findTools();
// Its own temp dir: initdb runs as the postgres user when this runs as root, and needs to own it.
const pgDir = await mkdtemp(join(tmpdir(), 'hostwatch-bench-pg-'));
const cluster = await startPostgres({ pgBin: tools.pgBin, dir: pgDir });
const syncs = opt['nats-sync'].split(',').map((x) => x.trim());

/**
 * CPU seconds used so far by the processes whose command line mentions `marker` (the nats-server
 * of a directory), or by the PostgreSQL cluster of `pgDir` (postmaster, its children, and the
 * children it already reaped), read from /proc.
 */
async function cpuSeconds({ marker, pgDir: cluster }) {
  const postmaster = cluster
    ? Number((await readFile(join(cluster, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0])
    : undefined;
  let ticks = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [ppid, utime, stime, cutime, cstime] = [1, 11, 12, 13, 14].map((i) => Number(f[i]));
      if (postmaster !== undefined) {
        if (Number(entry) === postmaster) ticks += utime + stime + cutime + cstime;
        else if (ppid === postmaster) ticks += utime + stime;
      } else if ((await readFile(`/proc/${entry}/cmdline`, 'utf8')).includes(marker)) {
        ticks += utime + stime;
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // CLK_TCK
}
let nats;
const cleanUp = async () => {
  await nats?.kill().catch(() => undefined);
  await cluster.crash().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(pgDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => void cleanUp().then(() => process.exit(130)));
const pool = new pg.Pool({ connectionString: await cluster.createDatabase('bench'), max: 4 });
pool.on('error', () => undefined);
try {
  const url = cluster.url('bench');
  await migrateToLatest(url);
  const settings = (
    await pool.query(`SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc`)
  ).rows[0];
  const os = await import('node:os');
  say(
    `hostwatch ingest benchmark: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  say(
    `PostgreSQL fsync=${settings.fsync} synchronous_commit=${settings.sc}; nats-server sync_interval ${syncs.join(' and ')}; ingest writers ${opt.writers}`,
  );

  // 1. Write strategies, 12-column rows, 1,000 rows per transaction (the per-row peer: one each).
  say('\n== writing 12-column rows (idempotent: ON CONFLICT DO NOTHING) ==');
  await pool.query(BENCH_TABLE);
  const strategies = [
    ['one INSERT per row (autocommit)', insertPerRow, Math.min(ROWS, 3000), 1],
    ['multi-row INSERT ... VALUES', insertValues, ROWS, 1000],
    ['INSERT ... SELECT FROM unnest(arrays), prepared', insertUnnest, ROWS, 1000],
    ['COPY into staging + INSERT ... SELECT', copyViaStaging, ROWS, 1000],
    ['COPY straight in (not idempotent, ceiling)', copyDirect, ROWS, 1000],
  ];
  const perRowRate = {};
  for (const [name, write, n, batch] of opt.only === 'all' || opt.only === 'writes' ? strategies : []) {
    await pool.query('TRUNCATE bench_rows');
    const client = await pool.connect();
    try {
      const all = Array.from({ length: n }, (_, i) => row(i));
      const started = performance.now();
      for (let i = 0; i < all.length; i += batch) await write(client, all.slice(i, i + batch));
      const ms = performance.now() - started;
      perRowRate[name] = (n * 1000) / ms;
      say(`${name.padEnd(50)} ${rate(n, ms).padStart(8)} rows/s  (${n} rows)`);
    } finally {
      // Discarded, not pooled: a connection that ran COPY is not reused for the rest of the run.
      client.release(true);
    }
  }

  for (const [index, sync] of syncs.entries()) {
    nats = await startNatsServer({
      binary: tools.natsServer,
      dir: join(dir, `nats-${index}`),
      syncInterval: sync,
    });
    // A database of its own per setting, so every count below is this setting's alone.
    const url = await cluster.createDatabase(`bench_${index}`);
    await migrateToLatest(url);
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on('error', () => undefined);
    say(`\n######## nats-server sync_interval=${sync} ########`);
    try {
      // JetStream alone: publish and fetch+ack of 800-byte messages, as the stream is configured
      // (interest retention) and with limits retention, under this run's sync_interval. With
      // sync_interval: always every stored message and every ack that removes one is an fsync.
      if (opt.only === 'all' || opt.only === 'jetstream') {
        say(`\n== JetStream alone (sync_interval=${sync}), 5,000 messages of 800 bytes ==`);
        const probeNc = await connect({ servers: nats.url });
        const probeJsm = await jetstreamManager(probeNc);
        const probeJs = jetstream(probeNc);
        for (const retention of ['interest', 'limits']) {
          const name = `PROBE_${retention.toUpperCase()}`;
          await probeJsm.streams.add({ name, subjects: [`probe.${retention}`], retention, storage: 'file' });
          await probeJsm.consumers.add(name, { durable_name: 'c', ack_policy: 'explicit' });
          let t = performance.now();
          const pending = [];
          for (let i = 0; i < 5000; i++) {
            pending.push(probeJs.publish(`probe.${retention}`, new Uint8Array(800), { timeout: 60_000 }));
            if (pending.length >= 256) await Promise.all(pending.splice(0));
          }
          await Promise.all(pending);
          const published = rate(5000, performance.now() - t);
          const c = await probeJs.consumers.get(name, 'c');
          t = performance.now();
          let got = 0;
          while (got < 5000) {
            try {
              for await (const m of await c.fetch({ max_messages: 1000, expires: 5000 })) {
                m.ack();
                got++;
              }
            } catch {
              // missed heartbeats on a starved machine: pull again
            }
          }
          while ((await probeJsm.consumers.info(name, 'c')).num_ack_pending > 0) await sleep(5);
          say(
            `retention ${retention.padEnd(8)} publish ${published.padStart(7)} msg/s, fetch + ack ${rate(5000, performance.now() - t).padStart(7)} msg/s`,
          );
          await probeJsm.streams.delete(name);
        }
        await probeNc.close();
      }

      // 2. Keys and hosts as an enrolled fleet.
      if (opt.only !== 'writes' && opt.only !== 'jetstream') {
        process.stderr.write(`preparing ${HOSTS} enrolled hosts\n`);
        // Connected as `hostwatch simulate` and the services connect (libs/nats).
        const nc = await connectWithBackoff({ servers: nats.url, name: 'bench simulate', log: silentLog });
        const jsm = await jetstreamManager(nc);
        await ensureStream(jsm, streamSpec());
        await ensureConsumer(jsm, STREAM_NAME, CONSUMER_SPECS.ingest);
        const js = jetstream(nc);
        const collector = generateCollectorKeyPair();
        const hostKeys = Array.from({ length: HOSTS }, (_, i) =>
          generateHostKeyPair(`bench-${String(i).padStart(6, '0')}`),
        );
        await pool.query(`INSERT INTO hosts (host_id, status) SELECT unnest($1::text[]), 'approved'`, [
          hostKeys.map((k) => k.hostId),
        ]);
        await pool.query(
          `INSERT INTO host_keys (host_id, key_id, public_key, status) SELECT *, 'approved' FROM unnest($1::text[], $2::text[], $3::bytea[])`,
          [
            hostKeys.map((k) => k.hostId),
            hostKeys.map((k) => k.keyId),
            hostKeys.map((k) => Buffer.from(k.publicKey)),
          ],
        );
        process.stderr.write('hosts ready\n');
        // The simulator of `hostwatch simulate`, in this process, with no schedule to keep (a 1 ms
        // interval): as fast as JetStream acknowledges, 256 publishes in flight.
        const publishBacklog = async (count) => {
          const started = performance.now();
          const simulator = new FleetSimulator({
            js,
            hosts: hostKeys,
            collector: publicKeyInfo(collector),
            intervalMs: 1,
            maxInFlight: 256,
          });
          const report = await simulator.run({ count });
          if (report.failed > 0) throw new Error(`${report.failed} publishes failed: ${report.firstError}`);
          return performance.now() - started;
        };
        const drained = async () => {
          for (;;) {
            const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
            if (info.num_pending === 0 && info.num_ack_pending === 0) return;
            await sleep(20);
          }
        };
        const config = (extra = {}) =>
          readIngestConfig({
            NATS_URL: nats.url,
            DATABASE_URL: url,
            COLLECTOR_KEY_FILE: '/unused',
            HEALTH_PORT: '0',
            MAINTENANCE_INTERVAL_MS: '3600000',
            INGEST_WRITERS: opt.writers,
            ...extra,
          });

        // 3. Draining a backlog: ingest as shipped, then a one-INSERT-per-message consumer.
        say('\n== draining a backlog of sealed stats messages (published first, then consumed) ==');
        const publishMs = await publishBacklog(BACKLOG);
        say(
          `published ${BACKLOG} sealed messages at ${rate(BACKLOG, publishMs)} msg/s (JetStream acknowledged, sync_interval ${sync})`,
        );
        const natsDir = join(dir, `nats-${index}`);
        const cpuBefore = {
          ingest: process.cpuUsage(),
          nats: await cpuSeconds({ marker: natsDir }),
          postgres: await cpuSeconds({ pgDir }),
        };
        let started = performance.now();
        let service = await startIngestService(config(), { log: silentLog, collectorKeys: collector });
        await drained();
        let ms = performance.now() - started;
        const used = process.cpuUsage(cpuBefore.ingest);
        const perMessage = {
          ingest: (used.user + used.system) / BACKLOG,
          'nats-server': (((await cpuSeconds({ marker: natsDir })) - cpuBefore.nats) * 1e6) / BACKLOG,
          PostgreSQL: (((await cpuSeconds({ pgDir })) - cpuBefore.postgres) * 1e6) / BACKLOG,
        };
        const totalUs = Object.values(perMessage).reduce((a, b) => a + b, 0);
        say(
          `  CPU per message: ${Object.entries(perMessage)
            .map(([who, us]) => `${who} ${us.toFixed(0)} µs`)
            .join(', ')} = ${totalUs.toFixed(0)} µs; ${cpus().length} cores give at most ` +
            `${rate(cpus().length * 1e6, totalUs * 1000)} msg/s at this cost`,
        );
        const batches = await service.metrics.getSingleMetric('hostwatch_ingest_batch_size').get();
        const commitsDrain = await service.metrics.getSingleMetric('hostwatch_ingest_commit_seconds').get();
        const pick = (m, name) => m.values.find((v) => v.metricName === name)?.value ?? 0;
        const outcomes = (
          await service.metrics.getSingleMetric('hostwatch_ingest_messages_total').get()
        ).values
          .filter((v) => v.value > 0)
          .map((v) => `${v.labels.kind} ${v.labels.outcome} ${v.value}`);
        say(`  outcomes: ${outcomes.join(', ')}`);
        say(
          `  ${pick(batches, 'hostwatch_ingest_batch_size_count')} batches, ${(pick(batches, 'hostwatch_ingest_batch_size_sum') / Math.max(1, pick(batches, 'hostwatch_ingest_batch_size_count'))).toFixed(0)} messages each on average, commit ${((pick(commitsDrain, 'hostwatch_ingest_commit_seconds_sum') * 1000) / Math.max(1, pick(commitsDrain, 'hostwatch_ingest_commit_seconds_count'))).toFixed(1)} ms on average`,
        );
        await service.stop();
        const stored = Number((await pool.query('SELECT count(*) AS n FROM host_stats')).rows[0].n);
        say(
          `ingest (unnest batches of 1000, ack after commit)      ${rate(BACKLOG, ms).padStart(8)} msg/s  (${stored} rows stored)`,
        );
        const drainRate = (BACKLOG * 1000) / ms;
        say(
          `target: drain >= 40,000 msg/s, sync_interval ${sync}: ${rate(BACKLOG, ms)} msg/s: ${drainRate >= 40_000 && stored === BACKLOG ? 'met' : 'NOT met'}`,
        );

        await publishBacklog(NAIVE);
        const opener = new Opener({
          collectorKeys: collector,
          registry: (() => {
            const r = new MemoryKeyRegistry();
            for (const k of hostKeys) r.add(k);
            return r;
          })(),
        });
        const consumer = await js.consumers.get(STREAM_NAME, 'ingest');
        const naive = await pool.connect();
        started = performance.now();
        let done = 0;
        try {
          while (done < NAIVE) {
            try {
              const batch = await consumer.fetch({ max_messages: 100, expires: 1000 });
              for await (const m of batch) {
                const opened = await opener.open(m.data, m.headers, m.subject);
                const check = validateMessage(
                  opened.kind,
                  opened.hostId,
                  JSON.parse(Buffer.from(opened.body).toString('utf8')),
                );
                const s = check.message;
                await naive.query({
                  name: 'naive_stats',
                  text: `INSERT INTO host_stats (host_id, time, boot_id, seq, cpu_count, cpu_used_percent, mem_total_bytes, mem_available_bytes, mem_used_percent, swap_total_bytes, swap_free_bytes, swap_used_percent, load1, load5, load15, uptime_seconds, processes, disk_max_used_percent, detail, message_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) ON CONFLICT DO NOTHING`,
                  values: [
                    s.hostId,
                    s.time,
                    s.bootId,
                    s.seq,
                    s.cpu.count,
                    s.cpu.usedPercent,
                    s.memory.totalBytes,
                    s.memory.availableBytes,
                    s.memory.usedPercent,
                    s.swap.totalBytes,
                    s.swap.freeBytes,
                    s.swap.usedPercent,
                    s.load[0],
                    s.load[1],
                    s.load[2],
                    s.uptimeSeconds,
                    s.processes,
                    60,
                    JSON.stringify({ disks: s.disks }),
                    opened.messageId,
                  ],
                });
                m.ack();
                done++;
              }
            } catch (err) {
              // A pull that saw no heartbeat on a starved machine ends with an error: pull again.
              if (!/heartbeat/i.test(err.message)) throw err;
              process.stderr.write(`per-message consumer: ${err.message}; pulling again\n`);
            }
          }
        } finally {
          naive.release();
        }
        ms = performance.now() - started;
        say(
          `one INSERT per message, ack each                        ${rate(NAIVE, ms).padStart(8)} msg/s  (${NAIVE} messages)`,
        );

        // 4. Sustained load: `hostwatch simulate` in its own process on the same machine, with its own
        // hosts and keys (registered as approved in PostgreSQL before it starts publishing).
        await writeFile(join(dir, 'collector.pub'), formatPublicKeyFile(publicKeyInfo(collector)));
        const cli = fileURLToPath(new URL('../../services/cli/bin/hostwatch.js', import.meta.url));
        let round = 0;
        const sustained = async (perSecond) => {
          const interval = HOSTS / perSecond;
          service = await startIngestService(config(), { log: silentLog, collectorKeys: collector });
          round++;
          const child = spawn(
            process.execPath,
            [
              cli,
              'simulate',
              ...['--hosts', String(HOSTS), '--interval', String(interval), '--duration', String(SECONDS)],
              ...['--nats', nats.url, '--collector-key', join(dir, 'collector.pub')],
              ...['--register', '--database-url', url, '--prefix', `sim${round}`, '--json'],
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let out = '';
          let from;
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => {
            // The schedule starts once the hosts are registered and the generator is connected.
            if (!from && String(d).includes('simulating')) from = new Date();
            process.stderr.write(d);
          });
          const code = await new Promise((resolve) => child.once('exit', resolve));
          const to = new Date();
          if (code !== 0 || !from) throw new Error(`hostwatch simulate exited with ${code}`);
          const gen = JSON.parse(out.trim().split('\n').pop() ?? '{}');
          const behind = (await jsm.consumers.info(STREAM_NAME, 'ingest')).num_pending;
          await drained();
          const metrics = await service.metrics.getSingleMetric('hostwatch_ingest_commit_seconds').get();
          await service.stop();
          const { rows } = await pool.query(
            `SELECT count(*) FILTER (WHERE received_at <= $2) AS in_time, count(*) AS n,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - time)) AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - time)) AS p99
           FROM host_stats WHERE boot_id = $1`,
            [gen.bootId, to],
          );
          const r = rows[0];
          const commits =
            metrics.values.filter((v) => v.metricName === 'hostwatch_ingest_commit_seconds_count')[0]
              ?.value ?? 0;
          say(
            `offered ${perSecond.toLocaleString('en-US')} msg/s (${HOSTS} hosts every ${interval.toFixed(2)} s): generator sent ${rate(gen.acknowledged, gen.seconds * 1000)} msg/s (JetStream-acknowledged), ` +
              `committed ${rate(Number(r.in_time), to.getTime() - from.getTime())} msg/s during the run, ${behind} left behind at its end; ` +
              `publish→transaction p50 ${(Number(r.p50) * 1000).toFixed(0)} ms, p99 ${(Number(r.p99) * 1000).toFixed(0)} ms (${r.n} messages, ${commits} commits)`,
          );
          return {
            committed: (Number(r.in_time) * 1000) / (to.getTime() - from.getTime()),
            p99Ms: Number(r.p99) * 1000,
          };
        };
        if (opt.only === 'all' || opt.only === 'sustained') {
          say(
            `\n== sustained load for ${SECONDS} s, load generator as a separate process on this machine ==`,
          );
          const at20k = await sustained(20_000);
          const at10k = await sustained(10_000);
          say(
            `target: sustained >= 20,000 msg/s with the generator on the machine, sync_interval ${sync}: ` +
              `${rate(at20k.committed, 1000)} msg/s committed: ${at20k.committed >= 20_000 ? 'met' : 'NOT met'}`,
          );
          say(
            `target: p99 publish→commit <= 1 s at 10,000 msg/s, sync_interval ${sync}: ` +
              `p99 ${at10k.p99Ms.toFixed(0)} ms at ${rate(at10k.committed, 1000)} msg/s committed: ` +
              `${at10k.p99Ms <= 1000 && at10k.committed >= 10_000 * 0.95 ? 'met' : 'NOT met'}`,
          );
        }
        await nc.close();
      }
    } finally {
      await pool.end();
      await nats.kill().catch(() => undefined);
      nats = undefined;
    }
  }
} finally {
  await pool.end();
  await cleanUp();
}
