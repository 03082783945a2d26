import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { subjectFor, type SshEvent, type SecurityEvent, type StatsMessageV1 } from '@hostwatch/contract';
import { createDb, type Database } from '@hostwatch/db';
import { Sealer, generateCollectorKeyPair, generateHostKeyPair, type CollectorKeyPair, type HostKeyPair } from '@hostwatch/envelope';
import { ensureTopology } from '@hostwatch/nats';
import { createTestDatabase, startSmtpServer, startTestNatsServer, waitFor, type TestNatsServer, type TestSmtpServer } from '@hostwatch/testkit';
import type { Kysely, Selectable } from 'kysely';
import { buildAlerter, silentLog, startAlerter, type AlerterOptions, type AlerterParts } from '../../src/index.js';

/** Start of event time in these tests. */
export const T0 = Date.parse('2026-11-23T10:00:00Z');

/** A clock the test moves by hand. */
export interface TestClock {
  (): number;
  set(ms: number): void;
  advance(ms: number): void;
}

/** A clock starting at `start` that moves only when told. */
export function testClock(start: number): TestClock {
  let now = start;
  const clock = (() => now) as TestClock;
  clock.set = (ms) => {
    now = ms;
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/** A running alerter in this process. */
export interface RunningAlerter {
  readonly parts: AlerterParts;
  stop(): Promise<void>;
}

/** A test's own nats-server, database, SMTP server, collector key, rules file and approved hosts. */
export interface AlerterWorld {
  readonly nats: TestNatsServer;
  readonly smtp: TestSmtpServer;
  readonly db: Kysely<Database>;
  readonly databaseUrl: string;
  readonly collector: CollectorKeyPair;
  readonly rulesFile: string;
  readonly dir: string;
  readonly clock: TestClock;
  /** Enrolls a host (approved key) and returns its key. */
  host(hostId: string): Promise<HostKeyPair>;
  /** Seals and publishes a message as `host`, with its message id as `Nats-Msg-Id`. */
  publish(host: HostKeyPair, kind: 'stats' | 'ssh' | 'event', messageId: string, body: object): Promise<void>;
  /** Publishes a stats sample of `host` taken at `time`. */
  stats(host: HostKeyPair, time: number, values: StatsValues): Promise<void>;
  /** Publishes sshd events of `host`. */
  ssh(host: HostKeyPair, messageId: string, events: readonly SshEvent[]): Promise<void>;
  /** Publishes security events of `host`. */
  events(host: HostKeyPair, messageId: string, events: readonly SecurityEvent[]): Promise<void>;
  /** Writes the rules file. */
  writeRules(xml: string): Promise<void>;
  /** Starts an alerter on this world. */
  start(overrides?: Partial<AlerterOptions>): Promise<RunningAlerter>;
  /** Waits until the alerter's consumer acknowledged every message published so far. */
  drained(): Promise<void>;
  /** Outbox rows, oldest first. */
  outbox(): Promise<Selectable<Database['alerter_outbox']>[]>;
  dispose(): Promise<void>;
}

/** What a test sets in a stats sample; everything else is a quiet host. */
export interface StatsValues {
  readonly memory?: number;
  readonly cpu?: number;
  readonly swap?: number;
  readonly load1?: number;
  readonly cores?: number;
  readonly disks?: Readonly<Record<string, number>>;
  readonly addresses?: readonly string[];
}

let seq = 0;

/** A complete, valid stats message. */
export function statsMessage(hostId: string, time: number, v: StatsValues): StatsMessageV1 {
  seq += 1;
  const cores = v.cores ?? 2;
  return {
    v: 1,
    kind: 'stats',
    hostId,
    bootId: 'boot-1',
    seq,
    time: new Date(time).toISOString(),
    intervalMs: 10_000,
    hostname: `${hostId}.example.com`,
    os: 'linux',
    addresses: [...(v.addresses ?? [])],
    cpu: { count: cores, usedPercent: v.cpu ?? 5, cores: Array.from({ length: cores }, () => v.cpu ?? 5) },
    memory: { totalBytes: 8e9, availableBytes: Math.round(8e9 * (1 - (v.memory ?? 10) / 100)), usedPercent: v.memory ?? 10 },
    swap: { totalBytes: 1e9, freeBytes: Math.round(1e9 * (1 - (v.swap ?? 0) / 100)), usedPercent: v.swap ?? 0 },
    load: [v.load1 ?? 0.1, v.load1 ?? 0.1, v.load1 ?? 0.1],
    uptimeSeconds: 1000,
    disks: Object.entries(v.disks ?? { '/': 20 }).map(([mount, used]) => ({ mount, device: '/dev/sda1', fstype: 'ext4', totalBytes: 1e11, availableBytes: Math.round(1e11 * (1 - used / 100)), usedPercent: used })),
    network: [],
    agent: { version: 'test', unparsedLines: 0, unparsedSamples: [], spoolDepth: 0, spoolFull: false, collectorErrors: {} },
  };
}

/** An sshd event with sensible defaults. */
export function sshEvent(id: string, time: number, event: SshEvent['event'], more: Partial<SshEvent> = {}): SshEvent {
  return { id, time: new Date(time).toISOString(), event, session: `s-${id}`, count: 1, ...more };
}

/** Builds a world: real nats-server with the stream, a fresh migrated database (or `databaseUrl`), a real SMTP server. */
export async function createAlerterWorld(options: { databaseUrl?: string } = {}): Promise<AlerterWorld> {
  const nats = await startTestNatsServer();
  const smtp = await startSmtpServer();
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase('alerter'));
  const db = createDb(databaseUrl);
  const dir = await mkdtemp(join(tmpdir(), 'alerter-'));
  const rulesFile = join(dir, 'rules.xml');
  const collector = generateCollectorKeyPair();
  const clock = testClock(T0);
  const nc: NatsConnection = await connect({ servers: nats.url });
  await ensureTopology(nc);
  const js = jetstream(nc);
  const running: RunningAlerter[] = [];
  let published = 0;

  const world: AlerterWorld = {
    nats,
    smtp,
    db,
    databaseUrl,
    collector,
    rulesFile,
    dir,
    clock,
    async host(hostId) {
      const key = generateHostKeyPair(hostId);
      await db.insertInto('hosts').values({ host_id: hostId, status: 'approved' }).onConflict((oc) => oc.column('host_id').doNothing()).execute();
      await db.insertInto('host_keys').values({ host_id: hostId, key_id: key.keyId, public_key: Buffer.from(key.publicKey), status: 'approved' }).execute();
      return key;
    },
    async publish(host, kind, messageId, body) {
      const sealed = new Sealer(host, collector).seal(subjectFor(host.hostId, kind), messageId, new TextEncoder().encode(JSON.stringify(body)));
      const h = natsHeaders();
      for (const [k, v] of Object.entries(sealed.headers)) h.set(k, v);
      const ack = await js.publish(subjectFor(host.hostId, kind), sealed.data, { headers: h, msgID: messageId });
      if (!ack.duplicate) published += 1;
    },
    async stats(host, time, values) {
      await world.publish(host, 'stats', `${host.hostId}:boot-1:${time}`, statsMessage(host.hostId, time, values));
    },
    async ssh(host, messageId, events) {
      await world.publish(host, 'ssh', messageId, { v: 1, kind: 'ssh', hostId: host.hostId, events });
    },
    async events(host, messageId, events) {
      await world.publish(host, 'event', messageId, { v: 1, kind: 'event', hostId: host.hostId, events });
    },
    async writeRules(xml) {
      await writeFile(rulesFile, xml);
    },
    async start(overrides = {}) {
      const parts = buildAlerter({
        natsUrl: nats.url,
        databaseUrl,
        collectorKeys: collector,
        rulesFile,
        email: { host: smtp.host, port: smtp.port, secure: false, user: undefined, password: undefined, from: 'hostwatch@example.com', connectTimeoutMs: 5_000, handoverTimeoutMs: 5_000, finalReplyTimeoutMs: 30_000 },
        replica: `test-${running.length}`,
        log: silentLog,
        clock,
        healthPort: 0,
        latenessMs: 0,
        digestWindowMs: 0,
        evaluationIntervalMs: 50,
        emailRetryMinMs: 50,
        emailRetryMaxMs: 500,
        ...overrides,
      });
      const stop = await startAlerter(parts);
      const handle: RunningAlerter = { parts, stop };
      running.push(handle);
      return handle;
    },
    async drained() {
      const jsm = await js.jetstreamManager();
      await waitFor(`alerter consumer to ack ${published} messages`, async () => {
        const info = await jsm.consumers.info('HOSTWATCH', 'alerter');
        return info.ack_floor.stream_seq >= published && info.num_ack_pending === 0 ? true : undefined;
      });
    },
    async outbox() {
      return db.selectFrom('alerter_outbox').selectAll().orderBy('id').execute();
    },
    async dispose() {
      for (const r of running.splice(0)) await r.stop().catch(() => undefined);
      await nc.close();
      await db.destroy();
      await smtp.stop();
      await nats.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}
