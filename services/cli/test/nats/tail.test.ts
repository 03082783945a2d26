import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { subjectFor, type StatsMessageV1 } from '@hostwatch/contract';
import { createDb } from '@hostwatch/db';
import {
  Sealer,
  generateCollectorKeyPair,
  generateHostKeyPair,
  writeKeyFile,
  writePublicKeyFile,
  type CollectorKeyPair,
  type HostKeyPair,
} from '@hostwatch/envelope';
import { connectWithBackoff, ensureTopology } from '@hostwatch/nats';
import { generateNkey, nkeyPaths, renderAuthorization } from '@hostwatch/nats-auth';
import { createTestDatabase, startTestNatsServer, type TestNatsServer } from '@hostwatch/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-io.js';

const quiet = { info: () => undefined, warn: () => undefined };
let dir: string;
let nkeys: string;
let keys: string;
let server: TestNatsServer;
let env: NodeJS.ProcessEnv;
let collector: CollectorKeyPair;
let web01: HostKeyPair;
let web02: HostKeyPair;
const connections: NatsConnection[] = [];

function stats(hostId: string, seq: number): StatsMessageV1 {
  return {
    v: 1,
    kind: 'stats',
    hostId,
    bootId: 'b00t',
    seq,
    time: '2026-11-23T19:00:00.000Z',
    intervalMs: 10_000,
    hostname: hostId,
    os: 'linux',
    addresses: ['10.0.0.5'],
    cpu: { count: 2, usedPercent: 12.5, cores: [10, 15] },
    memory: { totalBytes: 1000, availableBytes: 400, usedPercent: 60 },
    swap: { totalBytes: 0, freeBytes: 0, usedPercent: 0 },
    load: [0.1, 0.2, 0.3],
    uptimeSeconds: 1234.5,
    disks: [],
    network: [],
    agent: {
      version: '0.1.0',
      unparsedLines: 0,
      unparsedSamples: [],
      spoolDepth: 0,
      spoolFull: false,
      collectorErrors: {},
    },
  };
}

async function connectAs(seedFile: string): Promise<NatsConnection> {
  const nc = await connectWithBackoff({
    servers: server.url,
    name: 'tail test',
    log: quiet,
    credentials: { nkeySeedFile: seedFile },
    signal: AbortSignal.timeout(10_000),
  });
  connections.push(nc);
  return nc;
}

/** Publishes a sealed message as `host`'s agent, with its own nkey; `mutate` tampers with the sealed bytes. */
async function publish(
  host: HostKeyPair,
  body: unknown,
  id: string,
  mutate?: (data: Uint8Array) => void,
): Promise<void> {
  const nc = await connectAs(nkeyPaths(nkeys, { host: host.hostId }).seed);
  const subject = subjectFor(host.hostId, 'stats');
  const sealed = new Sealer(host, collector).seal(subject, id, Buffer.from(JSON.stringify(body)));
  const data = Uint8Array.from(sealed.data);
  mutate?.(data);
  const h = headers();
  for (const [name, value] of Object.entries(sealed.headers)) h.set(name, value);
  await jetstream(nc).publish(subject, data, { headers: h, msgID: id });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-tail-'));
  nkeys = join(dir, 'nkeys');
  keys = join(dir, 'keys');
  const nk = {
    ingest: await generateNkey(nkeys, { service: 'ingest' }),
    operator: await generateNkey(nkeys, { service: 'operator' }),
    web01: await generateNkey(nkeys, { host: 'web-01' }),
    web02: await generateNkey(nkeys, { host: 'web-02' }),
  };
  server = await startTestNatsServer({
    extraConfig: renderAuthorization({
      services: [
        { role: 'ingest', nkey: nk.ingest },
        { role: 'operator', nkey: nk.operator },
      ],
      hosts: [
        { hostId: 'web-01', nkey: nk.web01 },
        { hostId: 'web-02', nkey: nk.web02 },
      ],
    }),
  });
  await ensureTopology(await connectAs(nkeyPaths(nkeys, { service: 'ingest' }).seed));

  collector = generateCollectorKeyPair();
  await writeKeyFile(join(keys, 'collector.key'), collector);
  await writePublicKeyFile(join(keys, 'collector.pub'), collector);
  web01 = generateHostKeyPair('web-01');
  web02 = generateHostKeyPair('web-02');
  // Only web-01's public key is on file: web-02's messages must be refused.
  await writePublicKeyFile(join(keys, 'hosts', 'web-01.pub'), web01);

  await publish(web01, stats('web-01', 1), 'web-01-1');
  await publish(web02, stats('web-02', 2), 'web-02-2');
  await publish(web01, stats('web-01', 3), 'web-01-3', (data) => {
    data[data.length - 20]! ^= 0xff;
  });
  await publish(web01, { v: 1, kind: 'stats', hostId: 'web-01' }, 'web-01-4');

  env = {
    NATS_URL: server.url,
    NATS_NKEY_SEED_FILE: nkeyPaths(nkeys, { service: 'operator' }).seed,
    COLLECTOR_KEY_FILE: join(keys, 'collector.key'),
  };
});

afterAll(async () => {
  for (const nc of connections) await nc.close().catch(() => undefined);
  await server?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const bodyOf = (line: string): unknown => JSON.parse(line.split(' ').slice(4).join(' '));

describe('hostwatch tail', () => {
  it('prints each message decrypted and verified, one line each, and says why the others are refused', async () => {
    const result = await runCli(['tail', '--since', 'all', '--count', '4', '--host-keys', keys], env, dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z web-01 stats web-01-1 \{/);
    expect(bodyOf(lines[0]!)).toEqual(stats('web-01', 1));
    expect(lines[1]).toMatch(
      / web-02 stats web-02-2 REFUSED unknown_key: host web-02 has no registered key /,
    );
    expect(lines[2]).toMatch(/ web-01 stats web-01-3 REFUSED tampered: /);
    expect(lines[3]).toMatch(/ web-01 stats web-01-4 INVALID schema: /);
  });

  it('filters by host and kind, and prints JSON lines with --json', async () => {
    const result = await runCli(
      [
        'tail',
        '--host',
        'web-02',
        '--kind',
        'stats',
        '--since',
        '1h',
        '--count',
        '1',
        '--json',
        '--host-keys',
        keys,
      ],
      env,
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    const line = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(line).toMatchObject({
      subject: 'hostwatch.web-02.stats',
      host: 'web-02',
      id: 'web-02-2',
      status: 'refused',
    });
  });

  it('takes the host keys from PostgreSQL, where an approved key opens and a revoked host is refused', async () => {
    const databaseUrl = await createTestDatabase('tail');
    const db = createDb(databaseUrl, { maxConnections: 1 });
    await db
      .insertInto('hosts')
      .values([
        { host_id: 'web-01', status: 'approved' },
        { host_id: 'web-02', status: 'revoked' },
      ])
      .execute();
    await db
      .insertInto('host_keys')
      .values([
        {
          host_id: 'web-01',
          key_id: web01.keyId,
          public_key: Buffer.from(web01.publicKey),
          status: 'approved',
        },
        {
          host_id: 'web-02',
          key_id: web02.keyId,
          public_key: Buffer.from(web02.publicKey),
          status: 'approved',
        },
      ])
      .execute();
    await db.destroy();

    const result = await runCli(
      ['tail', 'hostwatch.*.stats', '--since', 'all', '--count', '2'],
      { ...env, DATABASE_URL: databaseUrl },
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(bodyOf(lines[0]!)).toEqual(stats('web-01', 1));
    expect(lines[1]).toMatch(/ web-02 stats web-02-2 REFUSED revoked_key: /);
  });

  it('follows live: a message published after it started is printed', async () => {
    const running = runCli(['tail', 'hostwatch.web-01.>', '--count', '1', '--host-keys', keys], env, dir);
    // The ordered consumer delivers only what arrives after it exists; publish until tail has seen one.
    let done = false;
    void running.then(() => (done = true));
    for (let seq = 100; !done && seq < 200; seq++) {
      await publish(web01, stats('web-01', seq), `web-01-live-${seq}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\S+ web-01 stats web-01-live-\d+ \{.*\}\n$/);
  });

  it('refuses to start without the collector key, naming what is missing', async () => {
    const result = await runCli(['tail', '--host-keys', keys], { NATS_URL: server.url }, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the collector key is required: COLLECTOR_KEY_FILE or --collector-key');
  });
});
