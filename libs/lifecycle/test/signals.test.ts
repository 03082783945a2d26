import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const service = fileURLToPath(new URL('./fixtures/service.mjs', import.meta.url));

interface Running {
  readonly child: ChildProcess;
  readonly records: Record<string, unknown>[];
  waitFor(msg: string): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runService(env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [service], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const records: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: () => void }[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      records.push(record);
      for (const waiter of waiters.filter((w) => w.msg === record.msg)) waiter.resolve();
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    records,
    exit,
    waitFor: (msg) =>
      records.some((r) => r.msg === msg)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ msg, resolve })),
  };
}

function timeline(records: readonly Record<string, unknown>[]): string[] {
  return records.map((r) =>
    typeof r.event === 'string'
      ? r.event
      : typeof r.component === 'string'
        ? `${String(r.msg)} ${r.component}`
        : String(r.msg),
  );
}

describe('a real process on real signals', () => {
  beforeAll(() => {
    // The child imports the built package, so build it from the current sources first.
    const build = spawnSync(
      process.execPath,
      [`${root}node_modules/typescript/bin/tsc`, '-b', 'libs/lifecycle'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(build.status, build.stdout + build.stderr).toBe(0);
  });

  it('stops in reverse order on SIGTERM and exits 0', async () => {
    const service = runService();
    await service.waitFor('running');
    service.child.kill('SIGTERM');
    expect(await service.exit).toEqual({ code: 0, signal: null });
    expect(timeline(service.records)).toEqual([
      'starting database',
      'database open',
      'started database',
      'starting server',
      'server listening',
      'started server',
      'running',
      'signal received, stopping',
      'stopping server',
      'server closed',
      'stopped server',
      'stopping database',
      'database closed',
      'stopped database',
      'stopped',
    ]);
  });

  it('exits 130 at once on SIGINT while a stop hangs after SIGTERM', async () => {
    const service = runService({ HANG_STOP: '1' });
    await service.waitFor('running');
    service.child.kill('SIGTERM');
    await service.waitFor('stopping');
    service.child.kill('SIGINT');
    expect(await service.exit).toEqual({ code: 130, signal: null });
    const lines = timeline(service.records);
    expect(lines.slice(-3)).toEqual([
      'signal received, stopping',
      'stopping server',
      'second signal while stopping, exiting now',
    ]);
    expect(lines).not.toContain('database closed');
  });
});
