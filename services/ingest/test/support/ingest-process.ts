import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@hostwatch/testkit';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'ingest-child.mjs');

/** An ingest process started from the build, with its output kept for failure messages. */
export interface IngestProcess {
  readonly healthPort: number;
  readonly output: () => string;
  /** Resolves with the signal or exit code the process ended with. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<NodeJS.Signals | number | null>;
}

/** Starts `node ingest-child.mjs` (the built `@hostwatch/ingest`) with `env` over the test's environment. */
export async function startIngestProcess(env: Record<string, string>): Promise<IngestProcess> {
  const healthPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [CHILD], {
    env: { ...process.env, LOG_LEVEL: 'info', HEALTH_PORT: String(healthPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return {
    healthPort,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
