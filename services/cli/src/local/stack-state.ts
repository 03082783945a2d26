import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The ports of the local stack, chosen on the first run and kept in `stack.json` for the next. */
export interface StackPorts {
  readonly nats: number;
  readonly natsMonitor: number;
  readonly postgres: number;
  readonly api: number;
  readonly ingest: number;
  readonly alerter: number;
  readonly agent: number;
  readonly smtp: number;
  readonly mail: number;
}

/** The ports tried first, familiar to operators of these programs. */
export const PREFERRED_PORTS: StackPorts = {
  nats: 4222,
  natsMonitor: 8222,
  postgres: 54329,
  api: 8080,
  ingest: 9101,
  alerter: 9102,
  agent: 9103,
  smtp: 2525,
  mail: 8025,
};

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The ports of the stack in `stateDir`: those saved by an earlier run when they are still free,
 * else the preferred ones, else any free port; saved for the next run.
 */
export async function choosePorts(stateDir: string): Promise<StackPorts> {
  const file = join(stateDir, 'stack.json');
  const saved: Partial<StackPorts> = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Partial<StackPorts>) : {};
  const chosen: Record<string, number> = {};
  const taken = new Set<number>();
  for (const key of Object.keys(PREFERRED_PORTS) as (keyof StackPorts)[]) {
    let port: number | undefined;
    for (const candidate of [saved[key], PREFERRED_PORTS[key]]) {
      if (candidate && !taken.has(candidate) && (await canListen(candidate))) {
        port = candidate;
        break;
      }
    }
    port ??= await anyPort();
    taken.add(port);
    chosen[key] = port;
  }
  await mkdir(stateDir, { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(chosen, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return chosen as unknown as StackPorts;
}
