import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createDb } from '@hostwatch/db';
import {
  createTestDatabase,
  freePort,
  startTestNatsServer,
  waitFor,
  type TestNatsServer,
} from '@hostwatch/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFleet } from './support/seed-fleet.js';

const CLI = fileURLToPath(new URL('../../cli/bin/hostwatch.js', import.meta.url));
const TOKEN = 'service-test-token-0123456789';

interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
}

function runApi(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [CLI, 'api'], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  return { child, output: () => output };
}

describe('hostwatch api', () => {
  let nats: TestNatsServer;
  let databaseUrl: string;
  beforeAll(async () => {
    nats = await startTestNatsServer();
    databaseUrl = await createTestDatabase('apisvc');
    const db = createDb(databaseUrl);
    await seedFleet(db, new Date());
    await db.destroy();
  });
  afterAll(async () => nats?.dispose());

  it('serves until SIGTERM, ready when PostgreSQL and NATS are, and exits 0', async () => {
    const port = await freePort();
    const run = runApi({
      DATABASE_URL: databaseUrl,
      NATS_URL: nats.url,
      API_PORT: String(port),
      API_READ_TOKENS: TOKEN,
      LOG_LEVEL: 'info',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const ready = await waitFor('api ready', async () => {
        const res = await fetch(`${base}/readyz`).catch(() => undefined);
        return res?.status === 200 ? res.json() : undefined;
      });
      expect(ready).toEqual({ status: 'ready', checks: { postgres: 'ok', nats: 'ok' } });
      const hosts = await fetch(`${base}/api/v1/hosts`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(hosts.status).toBe(200);
      expect(((await hosts.json()) as { items: unknown[] }).items).toHaveLength(4);
      expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
      run.child.kill('SIGTERM');
      const [code] = await once(run.child, 'exit');
      expect(code).toBe(0);
      expect(run.output()).not.toContain(TOKEN);
      expect(run.output()).not.toContain(new URL(databaseUrl).password || '\u0000');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('refuses to start listing every configuration problem at once', async () => {
    const run = runApi({ API_PORT: 'eighty', API_READ_TOKENS: 'short', API_SERIES_CACHE_MB: '-1' });
    const [code] = await once(run.child, 'exit');
    expect(code).not.toBe(0);
    expect(run.output()).toContain('DATABASE_URL is required');
    expect(run.output()).toContain('NATS_URL is required');
    expect(run.output()).toContain('API_PORT');
    expect(run.output()).toContain('API_READ_TOKENS has 1 token(s) shorter than 16 characters');
    expect(run.output()).toContain('API_SERIES_CACHE_MB');
    expect(run.output()).not.toContain('short,');
  });
});
