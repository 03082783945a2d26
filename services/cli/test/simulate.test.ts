import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CONSUMER_SPECS, STREAM_NAME, streamSpec, validateMessage } from '@hostwatch/contract';
import {
  MemoryKeyRegistry,
  Opener,
  generateCollectorKeyPair,
  publicKeyInfo,
  statsMessageId,
  writeKeyFile,
  writePublicKeyFile,
  type CollectorKeyPair,
} from '@hostwatch/envelope';
import { ensureConsumer, ensureStream } from '@hostwatch/nats';
import { createTestDatabase, startTestNatsServer, type TestNatsServer } from '@hostwatch/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

let nats: TestNatsServer;
let nc: NatsConnection;
let databaseUrl: string;
let pool: pg.Pool;
let dir: string;
let collector: CollectorKeyPair;

beforeEach(async () => {
  nats = await startTestNatsServer();
  nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, streamSpec());
  // Interest retention keeps messages only for consumers that exist: ingest's, as provisioned.
  await ensureConsumer(jsm, STREAM_NAME, CONSUMER_SPECS.ingest);
  databaseUrl = await createTestDatabase('cli_simulate');
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-simulate-'));
  collector = generateCollectorKeyPair();
  await writeKeyFile(join(dir, 'collector.key'), collector);
  await writePublicKeyFile(join(dir, 'collector.pub'), publicKeyInfo(collector));
});
afterEach(async () => {
  await pool.end();
  await nc.close();
  await nats.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(argv, { stdin: new PassThrough(), stdout, stderr, env, cwd: dir });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Every message the stream holds for ingest, opened with the collector key against the keys registered in PostgreSQL. */
async function openAll(expected: number): Promise<{ hostId: string; messageId: string; body: unknown }[]> {
  const registry = new MemoryKeyRegistry();
  const keys = await pool.query<{ host_id: string; public_key: Buffer; status: 'approved' }>(
    'SELECT k.host_id, k.public_key, k.status FROM host_keys k JOIN hosts h USING (host_id) WHERE h.status = $1',
    ['approved'],
  );
  for (const k of keys.rows) registry.add({ hostId: k.host_id, publicKey: k.public_key }, k.status);
  const opener = new Opener({ collectorKeys: collector, registry });
  const consumer = await jetstream(nc).consumers.get(STREAM_NAME, 'ingest');
  const opened: { hostId: string; messageId: string; body: unknown }[] = [];
  while (opened.length < expected) {
    const batch = await consumer.fetch({ max_messages: expected - opened.length, expires: 2000 });
    for await (const m of batch) {
      if (!m.headers) throw new Error(`message ${m.seq} has no headers`);
      const o = await opener.open(m.data, m.headers, m.subject);
      const body: unknown = JSON.parse(Buffer.from(o.body).toString('utf8'));
      opened.push({ hostId: o.hostId, messageId: o.messageId, body });
      m.ack();
    }
  }
  return opened;
}

describe('hostwatch simulate', () => {
  it('publishes sealed, valid stats messages as N registered hosts, each in sequence', async () => {
    const { code, stdout, stderr } = await run(
      [
        'simulate',
        '--hosts',
        '5',
        '--interval',
        '0.05',
        '--count',
        '40',
        '--nats',
        nats.url,
        '--collector-key',
        'collector.key',
        '--register',
        '--prefix',
        'simtest',
        '--json',
      ],
      { DATABASE_URL: databaseUrl },
    );
    expect(stderr).toContain('registered 5 hosts simtest-000000 .. simtest-000004 as approved');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { acknowledged: number; failed: number; bootId: string };
    expect(report).toMatchObject({ acknowledged: 40, failed: 0 });

    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(STREAM_NAME)).state.messages).toBe(40);
    const hosts = await pool.query<{ host_id: string; status: string }>(
      'SELECT host_id, status FROM hosts ORDER BY 1',
    );
    expect(hosts.rows).toEqual(
      [0, 1, 2, 3, 4].map((i) => ({ host_id: `simtest-00000${i}`, status: 'approved' })),
    );

    const opened = await openAll(40);
    for (const m of opened) {
      const body = m.body as { kind: string; hostId: string; seq: number; bootId: string };
      expect(validateMessage('stats', m.hostId, body)).toMatchObject({ ok: true });
      expect(body.bootId).toBe(report.bootId);
      expect(m.messageId).toBe(
        statsMessageId({ hostId: m.hostId, bootId: report.bootId, sequence: body.seq }),
      );
    }
    const seqsByHost = new Map<string, number[]>();
    for (const m of opened) {
      const body = m.body as { seq: number };
      seqsByHost.set(m.hostId, [...(seqsByHost.get(m.hostId) ?? []), body.seq]);
    }
    expect([...seqsByHost.keys()].sort()).toEqual(hosts.rows.map((h) => h.host_id));
    for (const seqs of seqsByHost.values())
      expect(seqs.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('seals to the collector public key file too, and without --register registers nothing', async () => {
    const { code } = await run([
      'simulate',
      '--hosts',
      '2',
      '--interval',
      '0.1',
      '--count',
      '4',
      '--nats',
      nats.url,
      '--collector-key',
      join(dir, 'collector.pub'),
    ]);
    expect(code).toBe(0);
    expect((await pool.query('SELECT 1 FROM hosts')).rowCount).toBe(0);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(STREAM_NAME)).state.messages).toBe(4);
  });

  it('lists every problem with its arguments at once', async () => {
    const { code, stderr } = await run(['simulate', '--interval', '0', '--count', '2.5', '--register']);
    expect(code).toBe(2);
    expect(stderr).toContain('--hosts is required');
    expect(stderr).toContain('--interval must be a positive number, not 0');
    expect(stderr).toContain('--count must be a positive whole number, not 2.5');
    expect(stderr).toContain('--collector-key or COLLECTOR_KEY_FILE is required');
    expect(stderr).toContain('--register needs --database-url or DATABASE_URL');
  });
});
