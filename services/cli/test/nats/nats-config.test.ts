import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CONSUMER_SPECS, STREAM_NAME, subjectFor } from '@hostwatch/contract';
import { createDb } from '@hostwatch/db';
import { connectWithBackoff, ensureTopology } from '@hostwatch/nats';
import { findTools } from '@hostwatch/local-servers';
import { createTestDatabase, startTestNatsServer, waitFor, type TestNatsServer } from '@hostwatch/testkit';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-io.js';

const quiet = { info: () => undefined, warn: () => undefined };

let dir: string;
let nkeys: string;
let databaseUrl: string;
let server: TestNatsServer;
let config: string;
const open: NatsConnection[] = [];

const seed = (group: 'hosts' | 'services', name: string): string => join(nkeys, group, `${name}.nk`);

async function as(group: 'hosts' | 'services', name: string): Promise<NatsConnection> {
  const nc = await connectWithBackoff({
    servers: server.url,
    name: `test ${name}`,
    log: quiet,
    credentials: { nkeySeedFile: seed(group, name) },
    signal: AbortSignal.timeout(10_000),
  });
  open.push(nc);
  return nc;
}

/** Resolves to the error the server sends when `nc` does something it may not. */
async function nextError(nc: NatsConnection): Promise<string> {
  for await (const status of nc.status()) {
    if (status.type === 'error') return String(status.error);
  }
  return 'closed';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-nats-config-'));
  nkeys = join(dir, 'nkeys');
  for (const args of [
    ['--service', 'ingest'],
    ['--service', 'operator'],
    ['--host', 'web-01'],
    ['--host', 'web-02'],
    ['--host', 'pending-01'],
    ['--host', 'revoked-01'],
  ]) {
    const made = await runCli(['nats-config', 'nkey', ...args, '--nkeys', nkeys], {}, dir);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^U[A-Z2-7]{55}\n$/);
  }

  databaseUrl = await createTestDatabase('natscfg');
  const db = createDb(databaseUrl, { maxConnections: 1 });
  await db
    .insertInto('hosts')
    .values([
      { host_id: 'web-01', status: 'approved' },
      { host_id: 'web-02', status: 'approved' },
      { host_id: 'pending-01', status: 'pending' },
      { host_id: 'revoked-01', status: 'revoked' },
      { host_id: 'no-nkey-01', status: 'approved' },
    ])
    .execute();
  await db.destroy();

  const generated = await runCli(['nats-config', '--nkeys', nkeys], { DATABASE_URL: databaseUrl }, dir);
  expect(generated.code, generated.stderr).toBe(0);
  config = generated.stdout;
  expect(generated.stderr).toContain('host revoked-01 has an nkey but is revoked');
  expect(generated.stderr).toContain('approved host no-nkey-01 has no nkey');
  server = await startTestNatsServer({ extraConfig: config });

  // ingest provisions the topology with its own least-privilege user.
  const ingest = await as('services', 'ingest');
  await ensureTopology(ingest);
});

afterAll(async () => {
  for (const nc of open) await nc.close().catch(() => undefined);
  await server?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function storedOn(subject: string): Promise<number> {
  const operator = await as('services', 'operator');
  const jsm = await jetstreamManager(operator);
  const info = await jsm.streams.info(STREAM_NAME, { subjects_filter: subject });
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
}

describe('hostwatch nats-config', () => {
  it('with --approved-only leaves out pending hosts as well', async () => {
    const strict = await runCli(
      ['nats-config', '--nkeys', nkeys, '--approved-only'],
      { DATABASE_URL: databaseUrl },
      dir,
    );
    expect(strict.code, strict.stderr).toBe(0);
    expect(strict.stderr).toContain('host pending-01 has an nkey but is pending');
    expect(strict.stdout).not.toContain('pending-01');
    expect(strict.stdout).toContain('# host web-01');
  });

  it("files an agent's own public nkey without its seed, and keeps an existing seed with --if-missing", async () => {
    const own = join(dir, 'agent-state');
    const first = await runCli(
      ['nats-config', 'nkey', '--host', 'node-7', '--nkeys', own, '--if-missing'],
      {},
      dir,
    );
    const again = await runCli(
      ['nats-config', 'nkey', '--host', 'node-7', '--nkeys', own, '--if-missing'],
      {},
      dir,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    const publicKey = first.stdout.trim();
    const env = { NATS_NKEYS_DIR: nkeys };
    const filed = await runCli(
      ['nats-config', 'nkey', '--host', 'node-7', '--public-key', publicKey],
      env,
      dir,
    );
    expect(filed.code, filed.stderr).toBe(0);
    const twice = await runCli(
      ['nats-config', 'nkey', '--host', 'node-7', '--public-key', publicKey],
      env,
      dir,
    );
    expect(twice.code).toBe(1);
    const bad = await runCli(['nats-config', 'nkey', '--host', 'node-8', '--public-key', 'SUAXXX'], env, dir);
    expect(bad.stderr).toContain('is not a NATS user public key');
    const generated = await runCli(['nats-config', '--nkeys', nkeys], { DATABASE_URL: databaseUrl }, dir);
    expect(generated.stdout).toContain(`# host node-7\n    { nkey: "${publicKey}"`);
    await rm(join(nkeys, 'hosts', 'node-7.nk.pub'));
  });

  it('writes one user per service and approved host, and no seed leaves the nkey directory readable by others', async () => {
    expect(config).toContain('# host web-01');
    expect(config).toContain('# host web-02');
    expect(config).toContain('# service ingest');
    expect(config).toContain('# host pending-01');
    expect(config).not.toContain('revoked-01');
    expect((await stat(seed('hosts', 'web-01'))).mode & 0o777).toBe(0o600);
  });

  it("accepts an agent's publish on its own subjects, stored once in the stream", async () => {
    const agent = await as('hosts', 'web-01');
    const ack = await jetstream(agent).publish(subjectFor('web-01', 'stats'), new Uint8Array([1, 2, 3]), {
      msgID: 'ok-1',
    });
    expect(ack.stream).toBe(STREAM_NAME);
    expect(await storedOn('hostwatch.web-01.>')).toBe(1);
  });

  it("refuses an agent publishing on another host's subject", async () => {
    const agent = await as('hosts', 'web-01');
    const refused = nextError(agent);
    await expect(
      jetstream(agent).publish(subjectFor('web-02', 'stats'), new Uint8Array([9]), {
        msgID: 'forged-1',
        timeout: 2_000,
      }),
    ).rejects.toThrow();
    expect(await refused).toMatch(/Permissions Violation for Publish to "hostwatch\.web-02\.stats"/);
    expect(await storedOn('hostwatch.web-02.>')).toBe(0);
  });

  it('refuses an agent reading the stream or another inbox', async () => {
    const agent = await as('hosts', 'web-02');
    const refused = nextError(agent);
    agent.subscribe('hostwatch.>');
    expect(await refused).toMatch(/Permissions Violation for Subscription to "hostwatch\.>"/);
    const again = nextError(agent);
    agent.subscribe('_INBOX.>');
    expect(await again).toMatch(/Permissions Violation for Subscription to "_INBOX\.>"/);
  });

  it('refuses a connection without credentials, and the agent of a revoked host', async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(
      /Authorization Violation/,
    );
    for (const host of ['revoked-01']) {
      await expect(
        connectWithBackoff({
          servers: server.url,
          name: host,
          log: quiet,
          credentials: { nkeySeedFile: seed('hosts', host) },
          transport: { reconnect: false },
          signal: AbortSignal.timeout(1_500),
        }),
      ).rejects.toThrow();
    }
  });

  it('lets ingest consume and acknowledge through its durable, but not publish as a host', async () => {
    const agent = await as('hosts', 'web-02');
    await jetstream(agent).publish(subjectFor('web-02', 'ssh'), new Uint8Array([4]), { msgID: 'ok-2' });
    const ingest = await as('services', 'ingest');
    const consumer = await jetstream(ingest).consumers.get(STREAM_NAME, CONSUMER_SPECS.ingest.durableName);
    const batch = await consumer.fetch({ max_messages: 10, expires: 2_000 });
    const subjects: string[] = [];
    for await (const m of batch) {
      subjects.push(m.subject);
      await m.ackAck();
    }
    expect(subjects).toEqual(expect.arrayContaining(['hostwatch.web-01.stats', 'hostwatch.web-02.ssh']));

    const refused = nextError(ingest);
    ingest.publish(subjectFor('web-01', 'event'), new Uint8Array([7]));
    expect(await refused).toMatch(/Permissions Violation for Publish to "hostwatch\.web-01\.event"/);
  });

  it('keeps the operator (tail, nats sub) off the durables it could otherwise drain', async () => {
    const operator = await as('services', 'operator');
    const refused = nextError(operator);
    operator.publish(`$JS.API.CONSUMER.MSG.NEXT.${STREAM_NAME}.ingest`, '{"batch":1}', {
      reply: '_INBOX_x.1',
    });
    expect(await refused).toMatch(
      /Permissions Violation for Publish to "\$JS\.API\.CONSUMER\.MSG\.NEXT\.HOSTWATCH\.ingest"/,
    );
    await waitFor('the ingest durable to be intact', async () => {
      const jsm = await jetstreamManager(await as('services', 'ingest'));
      return (await jsm.consumers.info(STREAM_NAME, 'ingest')).num_ack_pending === 0 ? true : undefined;
    });
  });

  it('after a revocation, the regenerated users and a reload close the agent out', async () => {
    const pidFile = join(dir, 'reload.pid');
    const own = await startTestNatsServer({ extraConfig: `pid_file: "${pidFile}"\n${config}` });
    try {
      const agent = await connectWithBackoff({
        servers: own.url,
        name: 'web-02',
        log: quiet,
        credentials: { nkeySeedFile: seed('hosts', 'web-02') },
        transport: { reconnect: false },
        signal: AbortSignal.timeout(10_000),
      });
      const closed = agent.closed();

      const db = createDb(databaseUrl, { maxConnections: 1 });
      await db.updateTable('hosts').set({ status: 'revoked' }).where('host_id', '=', 'web-02').execute();
      await db.destroy();
      const regenerated = await runCli(['nats-config', '--nkeys', nkeys], { DATABASE_URL: databaseUrl }, dir);
      expect(regenerated.stderr).toContain('host web-02 has an nkey but is revoked');
      const file = join(own.dir, 'nats.conf');
      await writeFile(file, (await readFile(file, 'utf8')).replace(config, regenerated.stdout));
      await promisify(execFile)(findTools().natsServer, ['--signal', `reload=${pidFile}`]);

      const outcome = await Promise.race([
        closed.then(() => 'closed by the server'),
        new Promise((done) => setTimeout(() => done('still connected'), 10_000)),
      ]);
      expect(outcome).toBe('closed by the server');
      await expect(
        connectWithBackoff({
          servers: own.url,
          name: 'web-02',
          log: quiet,
          credentials: { nkeySeedFile: seed('hosts', 'web-02') },
          transport: { reconnect: false },
          signal: AbortSignal.timeout(1_500),
        }),
      ).rejects.toThrow();
    } finally {
      await own.dispose();
      const db = createDb(databaseUrl, { maxConnections: 1 });
      await db.updateTable('hosts').set({ status: 'approved' }).where('host_id', '=', 'web-02').execute();
      await db.destroy();
    }
  });
});
