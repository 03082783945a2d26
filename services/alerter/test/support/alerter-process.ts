import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'alerter-child.mjs');

/** An alerter process started from the build, with its output kept for failure messages. */
export interface AlerterProcess {
  readonly output: () => string;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** Sends `signal` and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<NodeJS.Signals | number | null>;
}

/** Starts `node alerter-child.mjs` (the built `@hostwatch/alerter`) with `env` over the test's environment. */
export function startAlerterProcess(env: Record<string, string>): AlerterProcess {
  const child = spawn(process.execPath, [CHILD], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return {
    output: () => out,
    exited,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
