import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ProcessOutput } from './process-output.js';
import { waitFor } from './wait.js';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** The nats-server binary (>= 2.10). */
  readonly binary: string;
  /** Directory for the configuration, the log and the JetStream store; kept across runs. */
  readonly dir: string;
  /** JetStream on (the default) with a file store in the server's temp dir. */
  readonly jetstream?: boolean;
  /** `always` (the default, as in production) or a duration such as `2m`. */
  readonly syncInterval?: string;
  /** Extra configuration appended verbatim (authorization blocks, limits). */
  readonly extraConfig?: string;
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** Port of the HTTP monitoring endpoint (default: none). */
  readonly monitorPort?: number;
}

/** A nats-server child process on 127.0.0.1. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly storeDir: string;
  /** Whether the server process is running. */
  running(): boolean;
  /** Stops it gracefully (SIGTERM), keeping the store. */
  stop(): Promise<void>;
  /** Kills it (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  restart(): Promise<void>;
  /** The last lines it logged. */
  logTail(): string;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts nats-server with JetStream (`sync_interval: always` unless told otherwise) on a loopback port. */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  const { dir, binary } = options;
  await mkdir(dir, { recursive: true });
  const storeDir = join(dir, 'store');
  const port = options.port ?? (await freePort());
  const config = [
    `listen: "127.0.0.1:${port}"`,
    `server_name: "hostwatch-${port}"`,
    options.monitorPort ? `http: "127.0.0.1:${options.monitorPort}"` : '',
    options.jetstream === false
      ? ''
      : `jetstream { store_dir: "${storeDir}", sync_interval: ${options.syncInterval ?? 'always'}, max_memory_store: 64MB, max_file_store: 1TB }`,
    options.extraConfig ?? '',
  ].join('\n');
  const configFile = join(dir, 'nats.conf');
  await writeFile(configFile, config);

  let child: ChildProcess | undefined;
  let output: ProcessOutput | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    output = new ProcessOutput(proc);
    await waitFor(
      `nats-server on port ${port}`,
      async () => {
        if (proc.exitCode !== null) throw new Error(`nats-server exited: ${output?.tail()}`);
        return output?.includes('Server is ready') && (await portOpen(port)) ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await exited(proc);
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    storeDir,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await launch();
    },
    logTail: () => output?.tail() ?? '',
  };
}
