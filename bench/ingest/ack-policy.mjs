// JetStream alone: does acknowledging a batch with one AckAll (on its last message) instead of one
// explicit ack per message lift the fsync-per-ack ceiling of an interest-retention stream on a
// server with sync_interval: always? Both policies run in the same process against the same server,
// alternating, so the machine's load hits both alike.
//
//   node bench/ingest/ack-policy.mjs [--messages 5000] [--batch 1000] [--rounds 2] [--nats-sync always]
//                                    [--retention interest|limits] [--consumers 1|2]
//
// --consumers 2 adds a second durable consumer that reads nothing (the alerter, stopped): with
// interest retention a message is then removed only when both acked, so the acks measured here
// remove nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { findTools, startNatsServer } from '@hostwatch/local-servers';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const { values: opt } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    'nats-sync': { type: 'string', default: 'always' },
    retention: { type: 'string', default: 'interest' },
    consumers: { type: 'string', default: '1' },
  },
});
const MESSAGES = Number(opt.messages);
const BATCH = Number(opt.batch);
const say = (line) => process.stdout.write(`${line}\n`);
const rate = (n, ms) => Math.round((n * 1000) / ms).toLocaleString('en-US');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = await mkdtemp(join(tmpdir(), 'hostwatch-bench-ackpolicy-'));
const nats = await startNatsServer({
  binary: findTools().natsServer,
  dir: join(dir, 'nats'),
  syncInterval: opt['nats-sync'],
});
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);

say(
  `JetStream ack policies: ${new Date().toISOString()}, ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )}; sync_interval=${opt['nats-sync']}, retention ${opt.retention}, ${opt.consumers} consumer(s), ` +
    `${MESSAGES} messages of 800 bytes, fetch ${BATCH}`,
);

/** Publishes `n` messages, fetches them in batches and acknowledges them by `policy`; msgs/s of both halves. */
async function round(policy, n) {
  const name = `PROBE_${policy.toUpperCase()}`;
  const subject = `probe.${policy}`;
  await jsm.streams.add({ name, subjects: [subject], retention: opt.retention, storage: 'file' });
  await jsm.consumers.add(name, {
    durable_name: 'c',
    ack_policy: policy === 'all' ? AckPolicy.All : AckPolicy.Explicit,
    max_ack_pending: 20_000,
  });
  if (opt.consumers === '2')
    await jsm.consumers.add(name, { durable_name: 'idle', ack_policy: AckPolicy.Explicit });
  let t = performance.now();
  const pending = [];
  for (let i = 0; i < n; i++) {
    pending.push(js.publish(subject, new Uint8Array(800), { timeout: 120_000 }));
    if (pending.length >= 256) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const published = performance.now() - t;
  const c = await js.consumers.get(name, 'c');
  t = performance.now();
  let got = 0;
  while (got < n) {
    let last;
    try {
      for await (const m of await c.fetch({ max_messages: BATCH, expires: 5000 })) {
        if (policy === 'explicit') last?.ack();
        last = m;
        got++;
      }
    } catch {
      // missed heartbeats on a starved machine: pull again
    }
    // One confirmed ack per batch in both cases, as ingest does: the server's pace sets ours.
    await last?.ackAck({ timeout: 120_000 });
  }
  while ((await jsm.consumers.info(name, 'c')).num_ack_pending > 0) await sleep(5);
  const consumed = performance.now() - t;
  const left = (await jsm.streams.info(name)).state.messages;
  await jsm.streams.delete(name);
  return { published, consumed, left };
}

try {
  for (let r = 1; r <= Number(opt.rounds); r++) {
    for (const policy of ['explicit', 'all']) {
      const { published, consumed, left } = await round(policy, MESSAGES);
      say(
        `round ${r} ack ${policy.padEnd(8)} publish ${rate(MESSAGES, published).padStart(7)} msg/s, ` +
          `fetch + ack ${rate(MESSAGES, consumed).padStart(7)} msg/s, ${left} left in the stream, ` +
          `load average ${loadavg()[0].toFixed(1)}`,
      );
    }
  }
} finally {
  await nc.close();
  await nats.kill();
  await rm(dir, { recursive: true, force: true });
}
