// A load generator: publishes sealed stats messages as N hosts would, every S seconds each,
// spread evenly, with the same keys and envelope as the agent. Used by run.mjs as a child
// process (`node bench/ingest/load-generator.mjs`), configured by a JSON argument.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { subjectFor } from '@hostwatch/contract';
import { Sealer, parseKeyFile, parsePublicKeyFile, statsMessageId } from '@hostwatch/envelope';
import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { readFile } from 'node:fs/promises';

/** A stats body of `hostId`, sample `seq`, stamped with the publish time (the latency's start). */
export function statsBody(hostId, seq, time) {
  return {
    v: 1,
    kind: 'stats',
    hostId,
    bootId: 'bench',
    seq,
    time: new Date(time).toISOString(),
    intervalMs: 10_000,
    hostname: `${hostId}.bench`,
    os: 'linux',
    addresses: ['10.0.0.1'],
    cpu: { count: 2, usedPercent: 12.5, cores: [10, 15] },
    memory: { totalBytes: 4_000_000_000, availableBytes: 3_000_000_000, usedPercent: 25 },
    swap: { totalBytes: 1_000_000_000, freeBytes: 900_000_000, usedPercent: 10 },
    load: [0.5, 0.4, 0.3],
    uptimeSeconds: 1234.5,
    processes: 150,
    disks: [
      {
        mount: '/',
        device: '/dev/sda1',
        fstype: 'ext4',
        totalBytes: 100,
        availableBytes: 40,
        usedPercent: 60,
      },
    ],
    network: [{ name: 'eth0', rxBytes: 1, txBytes: 2 }],
    agent: {
      version: 'bench',
      unparsedLines: 0,
      unparsedSamples: [],
      spoolDepth: 0,
      spoolFull: false,
      collectorErrors: {},
    },
  };
}

/** Seals and publishes message `seq` of `sealer`'s host; resolves when JetStream acknowledged it. */
export function publishStats(js, sealer, seq, time = Date.now()) {
  const subject = subjectFor(sealer.hostId, 'stats');
  const sealed = sealer.seal(
    subject,
    statsMessageId({ hostId: sealer.hostId, bootId: 'bench', sequence: seq }),
    Buffer.from(JSON.stringify(statsBody(sealer.hostId, seq, time))),
  );
  const h = natsHeaders();
  for (const [k, v] of Object.entries(sealed.headers)) h.set(k, v);
  // A server that fsyncs every message (sync_interval: always) on a busy disk can take seconds.
  return js.publish(subject, sealed.data, { headers: h, timeout: 60_000 });
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const collector = parsePublicKeyFile(await readFile(options.collectorPublic, 'utf8'));
  const hosts = JSON.parse(await readFile(options.hostsFile, 'utf8')).map(
    (text) => new Sealer(parseKeyFile(text), collector),
  );
  const nc = await connect({ servers: options.natsUrl });
  const js = jetstream(nc);
  const rate = hosts.length / options.intervalSeconds;
  const end = Date.now() + options.seconds * 1000;
  const started = Date.now();
  let sent = 0;
  let inFlight = 0;
  let failed = 0;
  const seqs = new Array(hosts.length).fill(options.firstSeq ?? 1);
  while (Date.now() < end) {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    while (sent < due && inFlight < 1000) {
      const i = sent % hosts.length;
      const seq = seqs[i]++;
      sent++;
      inFlight++;
      publishStats(js, hosts[i], seq).then(
        () => inFlight--,
        () => {
          inFlight--;
          failed++;
        },
      );
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  await nc.drain();
  process.stdout.write(`${JSON.stringify({ sent, failed, seconds: (Date.now() - started) / 1000 })}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) await main();
