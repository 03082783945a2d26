import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@hostwatch/testkit';

const here = dirname(fileURLToPath(import.meta.url));
/** The checkout. */
export const ROOT = join(here, '..', '..', '..', '..', '..');
const CLI = join(ROOT, 'services', 'cli', 'bin', 'hostwatch.js');

const PORT_NAMES = [
  'nats',
  'natsMonitor',
  'postgres',
  'api',
  'ingest',
  'alerter',
  'agent',
  'smtp',
  'mail',
] as const;

/** A caught mail as the catcher's `/mails` lists it. */
export interface CaughtMail {
  readonly file: string;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
}

/** `hostwatch start --state DIR` as a child process, as `npm start` runs it. */
export interface StackProcess {
  readonly stateDir: string;
  /** The pid of `hostwatch start` (the parent of nats-server and the services). */
  readonly pid: number;
  readonly databaseUrl: string;
  readonly ports: Record<(typeof PORT_NAMES)[number], number>;
  readonly hostId: string;
  readonly readToken: string;
  readonly apiBase: string;
  output(): string;
  /** GET under `/api/v1` with the read token; throws on a non-2xx answer. */
  api<T>(path: string): Promise<T>;
  mails(): Promise<CaughtMail[]>;
  /** SIGINT, then waits for the exit (SIGKILL after 60 s); resolves to the exit code. */
  stop(): Promise<number | null>;
  /** Stops it (if running) and removes the state directory. */
  dispose(): Promise<void>;
}

/** Options of {@link startStackProcess}. */
export interface StackProcessOptions {
  readonly hostId: string;
  /** Written to `DIR/rules.xml` before the start (the stack writes its default only when missing). */
  readonly rulesXml: (hostId: string) => string;
  /** Extra environment of `hostwatch start` (passed on to the services). */
  readonly env?: NodeJS.ProcessEnv;
  /** Reuse this state directory (a restart) instead of a new one. */
  readonly stateDir?: string;
}

/** Starts `hostwatch start` on free loopback ports in a temp state directory and waits for its summary. */
export async function startStackProcess(options: StackProcessOptions): Promise<StackProcess> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'hostwatch-e2e-stack-')));
  let ports: Record<string, number>;
  if (options.stateDir) {
    ports = JSON.parse(await readFile(join(stateDir, 'stack.json'), 'utf8')) as Record<string, number>;
  } else {
    ports = Object.fromEntries(
      await Promise.all(PORT_NAMES.map(async (n) => [n, await freePort()] as const)),
    );
    await writeFile(join(stateDir, 'stack.json'), JSON.stringify(ports));
    await writeFile(join(stateDir, 'rules.xml'), options.rulesXml(options.hostId));
  }
  const child: ChildProcess = spawn(process.execPath, [CLI, 'start', '--state', stateDir], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', HOST_ID: options.hostId, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const dispose = async (): Promise<void> => {
    await stop();
    await rm(stateDir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      'the stack to print its summary',
      () => {
        if (child.exitCode !== null) throw new Error(`hostwatch start exited ${child.exitCode}`);
        return out.includes('hostwatch is running') ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- hostwatch start output ---\n${out}`, { cause: err });
  }
  const tokens = JSON.parse(await readFile(join(stateDir, 'api-tokens.json'), 'utf8')) as { read: string };
  const apiBase = `http://127.0.0.1:${ports['api']}`;
  const databaseUrl = /^PostgreSQL\s+(\S+)/m.exec(out)?.[1];
  if (!databaseUrl) throw new Error(`no PostgreSQL line in the summary:\n${out}`);
  return {
    stateDir,
    pid: child.pid!,
    databaseUrl,
    ports: ports as StackProcess['ports'],
    hostId: options.hostId,
    readToken: tokens.read,
    apiBase,
    output: () => out,
    api: async <T>(path: string): Promise<T> => {
      const res = await fetch(`${apiBase}/api/v1${path}`, {
        headers: { authorization: `Bearer ${tokens.read}` },
      });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    mails: async () =>
      (await (await fetch(`http://127.0.0.1:${ports['mail']}/mails`)).json()) as CaughtMail[],
    stop,
    dispose,
  };
}
