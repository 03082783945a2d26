import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STREAM_NAME } from '@hostwatch/contract';
import {
  KeyFileError,
  publicKeyInfo,
  readKeyFile,
  readPublicKeyFile,
  type CollectorPublicKey,
} from '@hostwatch/envelope';
import { FleetSimulator, registerHosts, simulatedHostKeys, type SimulationReport } from '@hostwatch/ingest';
import { connectWithBackoff, natsCredentialsFromEnv } from '@hostwatch/nats';
import { jetstream } from '@nats-io/jetstream';
import { UsageError, type Command, type CommandIo } from '../command.js';

const usage = `Usage: hostwatch simulate --hosts N --interval S [--duration D | --count M] [--nats URL]
                         [--collector-key FILE] [--register] [--database-url URL]
                         [--prefix sim] [--max-in-flight 1000] [--json]

Publishes sealed stats messages to the ${STREAM_NAME} stream as N hosts would, each one sample every
S seconds (N/S messages per second, spread evenly), with the agent's envelope and deterministic
message ids. It is a load generator for ingest and the alerter; it prints what JetStream
acknowledged and how far it fell behind its schedule.

Host keys are generated in memory for hosts <prefix>-000000, <prefix>-000001, ... and live only as
long as this run. For ingest to store their messages the keys must be in its key registry:
  --register            records every host and key as approved in PostgreSQL (--database-url or
                        DATABASE_URL) before publishing, as 'hostwatch hosts approve' would
Without it ingest records the hosts as pending and stores nothing (see docs/ingest.md).

Options:
  --hosts N             simulated hosts (required)
  --interval S          seconds between two samples of one host, e.g. 10 or 0.5 (required)
  --duration D          stop after D seconds (default: run until SIGINT or SIGTERM)
  --count M             stop after M messages
  --nats URL            NATS server(s) (default: NATS_URL, else nats://127.0.0.1:4222)
  --collector-key FILE  the collector's public key file, or its private key file as ingest reads it
                        (default: COLLECTOR_KEY_FILE)
  --prefix P            host id prefix (default sim)
  --max-in-flight K     publishes awaiting JetStream's acknowledgement at most (default 1000)
  --json                the final report as one JSON object

NATS credentials come from NATS_NKEY_SEED_FILE and NATS_TLS_CA_FILE, NATS_TLS_CERT_FILE,
NATS_TLS_KEY_FILE; the user must be allowed to publish on hostwatch.<prefix>-*.stats.`;

const HOST_PREFIX = /^[A-Za-z0-9_-]{1,50}$/;

function positive(
  name: string,
  value: string | undefined,
  problems: string[],
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    problems.push(`${name} must be a positive ${integer ? 'whole number' : 'number'}, not ${value}`);
    return undefined;
  }
  return n;
}

/** The collector's public key from its public key file, or from its private key file. */
async function collectorKey(path: string): Promise<CollectorPublicKey> {
  try {
    return await readPublicKeyFile(path, 'collector');
  } catch (err) {
    if (!(err instanceof KeyFileError)) throw err;
    try {
      return publicKeyInfo(await readKeyFile(path, 'collector'));
    } catch {
      throw new UsageError(
        `${path} is neither a collector public key file nor a collector key file: ${err.message}`,
      );
    }
  }
}

function line(r: SimulationReport): string {
  const rate = r.seconds > 0 ? Math.round(r.acknowledged / r.seconds) : 0;
  return (
    `${r.seconds.toFixed(1)} s: ${r.acknowledged} acknowledged (${rate} msg/s), ${r.failed} failed, ` +
    `${r.inFlight} in flight, ${r.behind} behind schedule${r.firstError ? `; first error: ${r.firstError}` : ''}`
  );
}

/** `hostwatch simulate`: a load generator publishing sealed stats messages as N hosts would. */
export const simulateCommand: Command = {
  path: ['simulate'],
  summary: 'publish sealed stats messages as N hosts would (load generator)',
  usage,
  async run(args, io: CommandIo) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        hosts: { type: 'string' },
        interval: { type: 'string' },
        duration: { type: 'string' },
        count: { type: 'string' },
        nats: { type: 'string' },
        'collector-key': { type: 'string' },
        register: { type: 'boolean' },
        'database-url': { type: 'string' },
        prefix: { type: 'string', default: 'sim' },
        'max-in-flight': { type: 'string', default: '1000' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    const problems: string[] = [];
    if (positionals.length > 0) problems.push(`unexpected argument ${positionals[0]}`);
    if (values.hosts === undefined) problems.push('--hosts is required');
    if (values.interval === undefined) problems.push('--interval is required');
    const hosts = positive('--hosts', values.hosts, problems, true);
    const interval = positive('--interval', values.interval, problems, false);
    const duration = positive('--duration', values.duration, problems, false);
    const count = positive('--count', values.count, problems, true);
    const maxInFlight = positive('--max-in-flight', values['max-in-flight'], problems, true);
    if (hosts !== undefined && hosts > 1_000_000) problems.push('--hosts must be at most 1000000');
    if (!HOST_PREFIX.test(values.prefix)) problems.push('--prefix must be 1 to 50 letters, digits, - or _');
    const keyFile = values['collector-key'] ?? io.env['COLLECTOR_KEY_FILE'];
    if (!keyFile) problems.push('--collector-key or COLLECTOR_KEY_FILE is required');
    const databaseUrl = values['database-url'] ?? io.env['DATABASE_URL'];
    if (values.register && !databaseUrl) problems.push('--register needs --database-url or DATABASE_URL');
    if (problems.length > 0 || !hosts || !interval || !keyFile) throw new UsageError(problems.join('; '));

    const collector = await collectorKey(resolve(io.cwd, keyFile));
    const keys = simulatedHostKeys(hosts, values.prefix);
    if (values.register && databaseUrl) {
      await registerHosts(databaseUrl, keys);
      io.stderr.write(`registered ${hosts} hosts ${keys[0]?.hostId} .. ${keys.at(-1)?.hostId} as approved\n`);
    }

    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const nc = await connectWithBackoff({
      servers: values.nats ?? io.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
      name: 'hostwatch simulate',
      credentials: natsCredentialsFromEnv(io.env),
      log: { info: () => undefined, warn: (_fields, msg) => io.stderr.write(`${msg}\n`) },
      signal: stop.signal,
    });
    try {
      const simulator = new FleetSimulator({
        js: jetstream(nc),
        hosts: keys,
        collector,
        intervalMs: interval * 1000,
        ...(maxInFlight ? { maxInFlight } : {}),
      });
      io.stderr.write(
        `simulating ${hosts} hosts every ${interval} s: ${simulator.rate.toFixed(1)} msg/s, boot id ${simulator.bootId}\n`,
      );
      const report = await simulator.run({
        ...(duration ? { durationMs: duration * 1000 } : {}),
        ...(count ? { count } : {}),
        signal: stop.signal,
        onProgress: (r) => io.stderr.write(`${line(r)}\n`),
      });
      io.stdout.write(
        values.json ? `${JSON.stringify({ ...report, bootId: simulator.bootId })}\n` : `${line(report)}\n`,
      );
      return report.failed > 0 ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await nc.drain();
    }
  },
};
