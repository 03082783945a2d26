import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@hostwatch/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, eventIds, failedLine, type AgentFixture, type OpenedStreamMessage } from './agent-fixture.js';

// The agent runs as operators run it: `hostwatch agent`, a real process that a test can kill -9.
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'cli', 'bin', 'hostwatch.js');

const fixtures: AgentFixture[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  while (fixtures.length) await fixtures.pop()?.dispose();
});

let agentLog = '';

function startAgent(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [cli, 'agent'], {
    env: { ...process.env, ...env, STATS_INTERVAL: '1s', SSH_BATCH_SIZE: '50', SSH_BATCH_WAIT: '100ms', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agentLog = '';
  child.stdout!.on('data', (d: Buffer) => (agentLog = (agentLog + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (agentLog = (agentLog + d.toString()).slice(-20_000)));
  children.push(child);
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  const exit = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exit;
}

/** Appends `count` numbered lines from `from`, a few at a time, as a busy sshd would. */
async function writeLines(path: string, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n += 25) {
    const chunk = Array.from({ length: Math.min(25, from + count - n) }, (_, k) => failedLine(n + k));
    await appendFile(path, `${chunk.join('\n')}\n`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('agent process', () => {
  it('sets its own V8 flags as it starts, and says so', async () => {
    const f = await agentFixture();
    fixtures.push(f);
    startAgent(f.env);
    const started = await waitFor(
      'the agent started',
      async () => agentLog.split('\n').find((line) => line.includes('"msg":"agent started"')),
      { timeoutMs: 30_000 },
    );
    expect(JSON.parse(started)).toMatchObject({ v8Flags: ['--no-opt'] });
  });

  it('kill -9 mid-stream, then restart: every line arrives, none is lost, re-sent events are identical', async () => {
    const f = await agentFixture();
    fixtures.push(f);
    const log = f.logPath;
    const first = startAgent(f.env);
    const writing = writeLines(log, 0, 1500);
    await waitFor('some events delivered', async () => ((eventIds(await f.readAll()).distinct.size >= 200) ? true : undefined), {
      timeoutMs: 30_000,
    });
    await killed(first);
    await writing;
    await writeLines(log, 1500, 500);

    startAgent(f.env);
    const all = await waitFor(
      'every line delivered',
      async () => {
        const messages = await f.readAll();
        return eventIds(messages).distinct.size >= 2000 ? messages : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const { distinct } = eventIds(all);
    expect(distinct.size).toBe(2000);
    const users = new Set(all.flatMap((m) => (m.body.events ?? []).map((e) => (e as { user?: string }).user)));
    for (let n = 0; n < 2000; n++) expect(users.has(`u${n}`)).toBe(true);
    // An event sent twice (read again after the crash) is the same event: the database keeps one.
    const byId = new Map<string, string>();
    for (const m of all) {
      for (const e of m.body.events ?? []) {
        const text = JSON.stringify(e);
        expect(byId.get(e.id) ?? text).toBe(text);
        byId.set(e.id, text);
      }
    }
  });

  it('NATS stopped for 30 s: stats and log events are spooled and arrive once it is back', async () => {
    const f = await agentFixture();
    fixtures.push(f);
    const log = f.logPath;
    startAgent(f.env);
    await writeLines(log, 0, 100);
    await waitFor('first events', async () => (eventIds(await f.readAll()).distinct.size === 100 ? true : undefined), {
      timeoutMs: 30_000,
    });
    await f.server.stop();
    const down = Date.now();
    await writeLines(log, 100, 300);
    await new Promise((r) => setTimeout(r, 30_000));
    const up = Date.now();
    await f.server.restart();
    // The spool is replayed in order, so once a sample taken after the restart has arrived, every
    // message spooled before it has been delivered too (or was lost, which the counts below catch).
    const sampledAfter = (m: OpenedStreamMessage): boolean =>
      m.subject === 'hostwatch.web-01.stats' && Date.parse(String(m.body['time'])) > up;
    const all = await waitFor(
      'spooled events and a sample taken after the restart',
      async () => {
        const messages = await f.readAll().catch(() => []);
        return eventIds(messages).distinct.size >= 400 && messages.some(sampledAfter) ? messages : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(eventIds(all).distinct.size).toBe(400);
    const stats = all.filter((m) => m.subject === 'hostwatch.web-01.stats');
    const sampledWhileDown = stats.filter((m) => {
      const t = Date.parse(String(m.body['time']));
      return t > down && t < up;
    });
    // One sample a second for 30 s, every one kept in the spool and delivered afterwards.
    expect(sampledWhileDown.length, agentLog).toBeGreaterThanOrEqual(20);
    expect(new Set(stats.map((m) => m.id)).size).toBe(stats.length);
  }, 180_000);
});
