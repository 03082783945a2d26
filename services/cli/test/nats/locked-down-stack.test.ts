import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NatsConnection } from '@nats-io/transport-node';
import { createDb } from '@hostwatch/db';
import { readPublicKeyFile } from '@hostwatch/envelope';
import { connectWithBackoff, ensureTopology } from '@hostwatch/nats';
import { generateNkey, nkeyPaths } from '@hostwatch/nats-auth';
import {
  createTestDatabase,
  freePort,
  startSmtpServer,
  startTestNatsServer,
  waitFor,
  type TestNatsServer,
} from '@hostwatch/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-io.js';

const cliBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'hostwatch.js');
const quiet = { info: () => undefined, warn: () => undefined };

let dir: string;
let nkeys: string;
let keys: string;
let server: TestNatsServer;
let agent: ChildProcess | undefined;
let agentLog = '';
let ingestService: ChildProcess | undefined;
let ingestLog = '';
let alerterService: ChildProcess | undefined;
let alerterLog = '';
let ingest: NatsConnection | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-locked-down-'));
  nkeys = join(dir, 'nkeys');
  keys = join(dir, 'keys');
  for (const args of [['--collector'], ['--host', 'e2e-01']]) {
    const made = await runCli(['keys', 'generate', ...args, '--dir', keys], {}, dir);
    expect(made.code, made.stderr).toBe(0);
  }
  await generateNkey(nkeys, { service: 'ingest' });
  await generateNkey(nkeys, { service: 'alerter' });
  await generateNkey(nkeys, { service: 'operator' });
  await generateNkey(nkeys, { host: 'e2e-01' });
  // Without a database: every host with an nkey gets its user.
  const config = await runCli(['nats-config', '--nkeys', nkeys], {}, dir);
  expect(config.code, config.stderr).toBe(0);
  server = await startTestNatsServer({ extraConfig: config.stdout });
  ingest = await connectWithBackoff({
    servers: server.url,
    name: 'ingest',
    log: quiet,
    credentials: { nkeySeedFile: nkeyPaths(nkeys, { service: 'ingest' }).seed },
    signal: AbortSignal.timeout(10_000),
  });
  await ensureTopology(ingest);
});

afterAll(async () => {
  agent?.kill('SIGTERM');
  ingestService?.kill('SIGTERM');
  alerterService?.kill('SIGTERM');
  await ingest?.close();
  await server?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('the real agent and ingest on a locked-down NATS', () => {
  it('publishes with its own nkey, and tail shows its messages opened and valid', async () => {
    const authLog = join(dir, 'auth.log');
    await writeFile(
      authLog,
      'Nov 23 19:00:01 e2e-01 sshd[4242]: Failed password for invalid user admin from 203.0.113.9 port 51234 ssh2\n',
    );
    agent = spawn(process.execPath, [cliBin, 'agent'], {
      env: {
        PATH: process.env['PATH'],
        NATS_URL: server.url,
        NATS_NKEY_SEED_FILE: nkeyPaths(nkeys, { host: 'e2e-01' }).seed,
        HOST_ID: 'e2e-01',
        HOST_KEY_FILE: join(keys, 'hosts', 'e2e-01.key'),
        COLLECTOR_PUBLIC_KEY_FILE: join(keys, 'collector.pub'),
        AGENT_STATE_DIR: join(dir, 'agent'),
        AUTH_LOG_SOURCE: 'file',
        AUTH_LOG_PATHS: authLog,
        AUTH_LOG_FROM_START: 'true',
        STATS_INTERVAL: '1s',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout?.on('data', (c: Buffer) => (agentLog += c.toString()));
    agent.stderr?.on('data', (c: Buffer) => (agentLog += c.toString()));

    const env = {
      NATS_URL: server.url,
      NATS_NKEY_SEED_FILE: nkeyPaths(nkeys, { service: 'operator' }).seed,
      COLLECTOR_KEY_FILE: join(keys, 'collector.key'),
    };
    const stats = await runCli(
      ['tail', '--kind', 'stats', '--since', 'all', '--count', '1', '--host-keys', keys, '--json'],
      env,
      dir,
    );
    expect(stats.code, `${stats.stderr}\nagent: ${agentLog}`).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      host: 'e2e-01',
      kind: 'stats',
      status: 'ok',
      body: { kind: 'stats', hostId: 'e2e-01' },
    });

    const ssh = await runCli(
      ['tail', 'hostwatch.e2e-01.ssh', '--since', 'all', '--count', '1', '--host-keys', keys],
      env,
      dir,
    );
    expect(ssh.code, `${ssh.stderr}\nagent: ${agentLog}`).toBe(0);
    expect(ssh.stdout).toMatch(/^\S+ e2e-01 ssh \S+ \{.*"203\.0\.113\.9".*\}\n$/);
    expect(agentLog).not.toMatch(/Permissions Violation|Authorization Violation/);
  });

  it('ingest, with its own nkey, stores what the agent sent in PostgreSQL', async () => {
    const databaseUrl = await createTestDatabase('lockeddown');
    const hostKey = await readPublicKeyFile(join(keys, 'hosts', 'e2e-01.pub'), 'host');
    const db = createDb(databaseUrl, { maxConnections: 1 });
    try {
      await db.insertInto('hosts').values({ host_id: 'e2e-01', status: 'approved' }).execute();
      await db
        .insertInto('host_keys')
        .values({
          host_id: 'e2e-01',
          key_id: hostKey.keyId,
          public_key: Buffer.from(hostKey.publicKey),
          status: 'approved',
        })
        .execute();

      ingestService = spawn(process.execPath, [cliBin, 'ingest'], {
        env: {
          PATH: process.env['PATH'],
          NATS_URL: server.url,
          NATS_NKEY_SEED_FILE: nkeyPaths(nkeys, { service: 'ingest' }).seed,
          DATABASE_URL: databaseUrl,
          COLLECTOR_KEY_FILE: join(keys, 'collector.key'),
          HEALTH_PORT: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      ingestService.stdout?.on('data', (c: Buffer) => (ingestLog += c.toString()));
      ingestService.stderr?.on('data', (c: Buffer) => (ingestLog += c.toString()));

      const stored = await waitFor(
        "the agent's stats and ssh events in PostgreSQL",
        async () => {
          const stats = await db
            .selectFrom('host_stats')
            .select(db.fn.countAll<string>().as('n'))
            .where('host_id', '=', 'e2e-01')
            .executeTakeFirstOrThrow();
          const ssh = await db
            .selectFrom('ssh_events')
            .select(db.fn.countAll<string>().as('n'))
            .where('host_id', '=', 'e2e-01')
            .executeTakeFirstOrThrow();
          return Number(stats.n) > 0 && Number(ssh.n) > 0
            ? { stats: Number(stats.n), ssh: Number(ssh.n) }
            : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 250 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\ningest: ${ingestLog}\nagent: ${agentLog}`);
      });
      expect(stored.ssh).toBeGreaterThan(0);
      const quarantined = await db
        .selectFrom('quarantine')
        .select(db.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(quarantined.n), ingestLog).toBe(0);
      expect(ingestLog).not.toMatch(/Permissions Violation|Authorization Violation/);
    } finally {
      await db.destroy();
    }
  });

  it('the alerter, with its own nkey, mails an alert on what the agent sent', async () => {
    const databaseUrl = await createTestDatabase('lockeddownalerter');
    const hostKey = await readPublicKeyFile(join(keys, 'hosts', 'e2e-01.pub'), 'host');
    const db = createDb(databaseUrl, { maxConnections: 1 });
    const smtp = await startSmtpServer();
    try {
      await db.insertInto('hosts').values({ host_id: 'e2e-01', status: 'approved' }).execute();
      await db
        .insertInto('host_keys')
        .values({
          host_id: 'e2e-01',
          key_id: hostKey.keyId,
          public_key: Buffer.from(hostKey.publicKey),
          status: 'approved',
        })
        .execute();
      const rules = join(dir, 'rules.xml');
      await writeFile(
        rules,
        '<clients>\n  <client ip="192.0.2.1" host="e2e-01" mail="ops@example.com">\n    <alert type="memory" limit="1%" />\n  </client>\n</clients>\n',
      );
      alerterService = spawn(process.execPath, [cliBin, 'alerter'], {
        env: {
          PATH: process.env['PATH'],
          NATS_URL: server.url,
          NATS_NKEY_SEED_FILE: nkeyPaths(nkeys, { service: 'alerter' }).seed,
          DATABASE_URL: databaseUrl,
          COLLECTOR_KEY_FILE: join(keys, 'collector.key'),
          RULES_FILE: rules,
          EMAIL_HOST: smtp.host,
          EMAIL_PORT: String(smtp.port),
          EMAIL_FROM: 'hostwatch@example.com',
          ALERT_LATENESS: '1s',
          HEALTH_PORT: String(await freePort()),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      alerterService.stdout?.on('data', (c: Buffer) => (alerterLog += c.toString()));
      alerterService.stderr?.on('data', (c: Buffer) => (alerterLog += c.toString()));
      const mails = await smtp.waitForMails(1, 45_000).catch((err: Error) => {
        throw new Error(`${err.message}\nalerter: ${alerterLog}\nagent: ${agentLog}`);
      });
      expect(mails[0]?.to).toContain('ops@example.com');
      expect(mails[0]?.parsed.subject ?? '').toMatch(/e2e-01/);
      expect(alerterLog).not.toMatch(/Permissions Violation|Authorization Violation/);
    } finally {
      await smtp.stop();
      await db.destroy();
    }
  });
});
