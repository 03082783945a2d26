import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STREAM_NAME } from '@hostwatch/contract';
import {
  generateCollectorKeyPair,
  generateHostKeyPair,
  MemoryKeyRegistry,
  Opener,
  writeKeyFile,
  writePublicKeyFile,
} from '@hostwatch/envelope';
import { ensureTopology } from '@hostwatch/nats';
import { startTestNatsServer, type TestNatsServer } from '@hostwatch/testkit';

/** A message of the stream, opened and parsed. */
export interface OpenedStreamMessage {
  readonly subject: string;
  readonly id: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { kind: string; events?: { id: string }[]; [key: string]: unknown };
}

/** Everything an agent test needs: a real nats-server with the stream, keys on disk, and a reader. */
export interface AgentFixture {
  readonly server: TestNatsServer;
  readonly nc: NatsConnection;
  readonly dir: string;
  /** The host's public key, base64url, as the enrollment header carries it. */
  readonly hostPublicKey: string;
  /** The auth log the agent tails. */
  readonly logPath: string;
  readonly env: Record<string, string>;
  /** Every message in the stream, opened with the collector key. */
  readAll(): Promise<OpenedStreamMessage[]>;
  dispose(): Promise<void>;
}

/** Starts nats-server with the HOSTWATCH stream, writes host and collector keys, and returns the agent's env. */
export async function agentFixture(hostId = 'web-01'): Promise<AgentFixture> {
  const server = await startTestNatsServer();
  const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  await ensureTopology(nc);
  const dir = await mkdtemp(join(tmpdir(), 'hostwatch-agent-'));
  const host = generateHostKeyPair(hostId);
  const collector = generateCollectorKeyPair();
  await writeKeyFile(join(dir, 'host.key'), host);
  await writePublicKeyFile(join(dir, 'collector.pub'), collector);
  await writeFile(join(dir, 'auth.log'), '');
  const registry = new MemoryKeyRegistry();
  registry.add(host);
  const opener = new Opener({ collectorKeys: collector, registry });
  const env = {
    NATS_URL: server.url,
    HOST_ID: hostId,
    HOST_KEY_FILE: join(dir, 'host.key'),
    COLLECTOR_PUBLIC_KEY_FILE: join(dir, 'collector.pub'),
    AGENT_STATE_DIR: join(dir, 'state'),
    AUTH_LOG_PATHS: join(dir, 'auth.log'),
    AUTH_LOG_SOURCE: 'file',
    LOG_LEVEL: 'warn',
  };
  return {
    server,
    nc,
    dir,
    logPath: env.AUTH_LOG_PATHS,
    hostPublicKey: Buffer.from(host.publicKey).toString('base64url'),
    env,
    readAll: async () => {
      const info = await (await jetstreamManager(nc)).streams.info(STREAM_NAME);
      const total = info.state.messages;
      const out: OpenedStreamMessage[] = [];
      if (total === 0) return out;
      const consumer = await jetstream(nc).consumers.get(STREAM_NAME, { deliver_policy: DeliverPolicy.All });
      const batch = await consumer.fetch({ max_messages: total, expires: 5_000 });
      for await (const m of batch) {
        const opened = await opener.open(m.data, m.headers!, m.subject);
        const headers = Object.fromEntries(m.headers!.keys().map((k) => [k, m.headers!.get(k)]));
        out.push({ subject: m.subject, id: opened.messageId, headers, body: JSON.parse(new TextDecoder().decode(opened.body)) });
        if (out.length === total) break;
      }
      return out;
    },
    dispose: async () => {
      await nc.close();
      await server.dispose();
    },
  };
}

/** A classic syslog line of a failed sshd password, distinct per `n`. */
export function failedLine(n: number, time = 'Nov 23 10:00:00'): string {
  return `${time} web-01 sshd[${10_000 + n}]: Failed password for invalid user u${n} from 203.0.113.${n % 250} port ${20_000 + n} ssh2`;
}

/** The distinct event ids of every ssh message, and how many events the stream carries in all. */
export function eventIds(messages: readonly OpenedStreamMessage[]): { distinct: Set<string>; total: number } {
  const ids = messages.filter((m) => m.body.kind === 'ssh').flatMap((m) => (m.body.events ?? []).map((e) => e.id));
  return { distinct: new Set(ids), total: ids.length };
}
