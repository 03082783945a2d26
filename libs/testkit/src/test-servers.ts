import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findTools,
  startNatsServer,
  startPostgres,
  type NatsServer,
  type NatsServerOptions,
  type PostgresCluster,
} from '@hostwatch/local-servers';

/** A test's own nats-server: a real one, on a free loopback port, in a temp dir removed by `dispose`. */
export interface TestNatsServer extends NatsServer {
  /** Kills the server and removes its directory. */
  dispose(): Promise<void>;
}

/** A test's own PostgreSQL cluster, in a temp dir removed by `dispose`. */
export interface TestPostgres extends PostgresCluster {
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

/** Starts a real nats-server with JetStream for one test. */
export async function startTestNatsServer(
  options: Omit<NatsServerOptions, 'binary' | 'dir'> = {},
): Promise<TestNatsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hostwatch-nats-'));
  const server = await startNatsServer({ ...options, binary: findTools().natsServer, dir });
  return {
    ...server,
    dispose: async () => {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a real PostgreSQL cluster for one test (or for the run, from the global setup). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'hostwatch-pg-'));
  const cluster = await startPostgres({ pgBin: findTools().pgBin, dir, unsafeFast: true });
  return {
    ...cluster,
    dispose: async () => {
      await cluster.crash();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
