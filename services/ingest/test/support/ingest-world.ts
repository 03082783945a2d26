import {
  CONSUMER_SPECS,
  STREAM_NAME,
  streamSpec,
  subjectFor,
  type SSH_EVENT_KINDS,
  type ConsumerSpec,
  type EventMessageV1,
  type SshMessageV1,
  type StatsMessageV1,
} from '@hostwatch/contract';
import {
  generateCollectorKeyPair,
  generateHostKeyPair,
  logMessageId,
  publicKeyInfo,
  Sealer,
  statsMessageId,
  type CollectorKeyPair,
  type HostKeyPair,
} from '@hostwatch/envelope';
import { ensureConsumer, ensureStream } from '@hostwatch/nats';
import { createTestDatabase, startTestNatsServer, type TestNatsServer } from '@hostwatch/testkit';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { simulatedStats } from '../../src/simulate/fleet-simulator.js';

/** The same boot id for every stats sample of a test host. */
export const BOOT = 'boot-1';

/** A test's own nats-server, database, collector key and approved hosts, with ways to publish as them. */
export interface IngestWorld {
  readonly nats: TestNatsServer;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly databaseUrl: string;
  readonly pool: pg.Pool;
  readonly collector: CollectorKeyPair;
  /** Generates a host key and registers host and key with `status`. */
  addHost(hostId: string, status?: 'approved' | 'pending' | 'revoked' | 'none'): Promise<HostKeyPair>;
  sealer(host: HostKeyPair): Sealer;
  /** Seals `body` as `host` on its `kind` subject and publishes it with the envelope headers (plus `extra`). */
  publish(
    host: HostKeyPair,
    kind: 'stats' | 'ssh' | 'event',
    messageId: string,
    body: object,
    extra?: Record<string, string>,
  ): Promise<number>;
  /** Publishes raw bytes and headers on a subject, as an attacker could. */
  publishRaw(subject: string, data: Uint8Array, headers: Record<string, string>): Promise<number>;
  count(table: string, where?: string): Promise<number>;
  dispose(): Promise<void>;
}

/** Starts a world: the stream and the `ingest` consumer (`consumer` over the defaults) exist. */
export async function startIngestWorld(
  options: { databaseUrl?: string; nats?: TestNatsServer; consumer?: Partial<ConsumerSpec> } = {},
): Promise<IngestWorld> {
  const nats = options.nats ?? (await startTestNatsServer());
  const nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, streamSpec());
  // The stream keeps messages only for consumers that exist (interest retention): provision first.
  await ensureConsumer(jsm, STREAM_NAME, { ...CONSUMER_SPECS.ingest, ...options.consumer });
  const js = jetstream(nc);
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase('ingest'));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const collector = generateCollectorKeyPair();
  const publishRaw = async (
    subject: string,
    data: Uint8Array,
    headers: Record<string, string>,
  ): Promise<number> => {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    const ack = await js.publish(subject, data, { headers: h });
    return ack.seq;
  };
  const sealers = new Map<string, Sealer>();
  const world: IngestWorld = {
    nats,
    nc,
    js,
    databaseUrl,
    pool,
    collector,
    async addHost(hostId, status = 'approved') {
      const key = generateHostKeyPair(hostId);
      if (status !== 'none') {
        await pool.query(`INSERT INTO hosts (host_id, status) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          hostId,
          status,
        ]);
        await pool.query(
          `INSERT INTO host_keys (host_id, key_id, public_key, status) VALUES ($1, $2, $3, $4)`,
          [hostId, key.keyId, Buffer.from(key.publicKey), status],
        );
      }
      return key;
    },
    sealer(host) {
      let s = sealers.get(host.keyId);
      if (!s) {
        s = new Sealer(host, publicKeyInfo(collector));
        sealers.set(host.keyId, s);
      }
      return s;
    },
    async publish(host, kind, messageId, body, extra = {}) {
      const sealed = world
        .sealer(host)
        .seal(subjectFor(host.hostId, kind), messageId, Buffer.from(JSON.stringify(body)));
      return publishRaw(subjectFor(host.hostId, kind), sealed.data, { ...sealed.headers, ...extra });
    },
    publishRaw,
    async count(table, where = 'true') {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`);
      return Number(rows[0]?.n ?? 0);
    },
    async dispose() {
      await pool.end();
      await nc.close();
      if (!options.nats) await nats.dispose();
    },
  };
  return world;
}

/** A valid stats sample of `hostId`, number `seq`, taken at `time`: the simulator's, with the host's own name and addresses. */
export function statsMessage(
  hostId: string,
  seq: number,
  time: Date = new Date(),
): { id: string; body: StatsMessageV1 } {
  return {
    id: statsMessageId({ hostId, bootId: BOOT, sequence: seq }),
    body: {
      ...simulatedStats(hostId, BOOT, seq, time),
      hostname: `${hostId}.example.net`,
      addresses: ['10.0.0.5', 'fe80::1'],
    },
  };
}

/** One sshd event for {@link sshMessage}. */
export interface TestSshEvent {
  readonly id: string;
  readonly time: Date;
  readonly event: (typeof SSH_EVENT_KINDS)[number];
  readonly session: string;
  readonly source?: string;
  readonly user?: string;
  readonly method?: string;
  readonly count?: number;
}

/** A valid ssh message of `hostId` whose id is derived from `offset`. */
export function sshMessage(
  hostId: string,
  offset: number,
  events: readonly TestSshEvent[],
): { id: string; body: SshMessageV1 } {
  return {
    id: logMessageId({ hostId, kind: 'ssh', source: 'authlog', offset }),
    body: {
      v: 1,
      kind: 'ssh',
      hostId,
      events: events.map((e) => ({
        id: e.id,
        time: e.time.toISOString(),
        event: e.event,
        session: e.session,
        ...(e.source ? { source: e.source, port: 50000 } : {}),
        ...(e.user ? { user: e.user } : {}),
        ...(e.method ? { method: e.method } : {}),
        count: e.count ?? 1,
      })),
    },
  };
}

/** A valid event message of `hostId` with one sudo event. */
export function eventMessage(
  hostId: string,
  offset: number,
  time: Date = new Date(),
): { id: string; body: EventMessageV1 } {
  return {
    id: logMessageId({ hostId, kind: 'event', source: 'authlog', offset }),
    body: {
      v: 1,
      kind: 'event',
      hostId,
      events: [
        {
          id: `sudo-${offset}`,
          time: time.toISOString(),
          type: 'sudo',
          user: 'alice',
          target: 'root',
          command: '/bin/true',
          allowed: true,
        },
      ],
    },
  };
}

/** Stream name, for tests that inspect the consumer. */
export { STREAM_NAME };
