import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { freePort, waitFor } from '@hostwatch/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'hostwatch.js');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(stateDir: string, ...options: string[]): Run {
  const child = spawn(process.execPath, [cli, 'start', '--state', stateDir, ...options], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', AUTH_LOG_SOURCE: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

function url(summary: string, label: string): string {
  const match = new RegExp(`^${label}\\s+(\\S+)`, 'm').exec(summary);
  if (!match?.[1]) throw new Error(`no ${label} in:\n${summary}`);
  return match[1];
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('hostwatch start', () => {
  it('brings the stack up, answers its health endpoints, catches mail, stops on SIGINT, and reuses its state', { timeout: 300_000 }, async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hostwatch-start-'));
    dirs.push(stateDir);
    // Ports saved by an earlier run are used first: free ones, so a developer's own stack is left alone.
    const names = ['nats', 'natsMonitor', 'postgres', 'api', 'ingest', 'alerter', 'agent', 'smtp', 'mail'];
    const ports = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()] as const)));
    await writeFile(join(stateDir, 'stack.json'), JSON.stringify(ports));
    const first = start(stateDir);
    try {
      await waitFor('the stack to run', () => (first.stdout().includes('hostwatch is running') ? true : undefined), {
        timeoutMs: 90_000,
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n${first.stderr()}`);
      });
      const summary = first.stdout();
      expect(url(summary, 'API health')).toBe(`http://127.0.0.1:${ports['api']}/healthz`);
      const health = url(summary, 'API health');
      const response = await waitFor('API /healthz', async () => {
        const res = await fetch(health).catch(() => undefined);
        return res?.ok ? res : undefined;
      });
      expect(await response.json()).toEqual({ status: 'ok' });

      const mailPage = url(summary, 'caught mail');
      const smtpPort = Number(/SMTP on 127\.0\.0\.1:(\d+)/.exec(summary)?.[1]);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
      await transport.sendMail({ from: 'a@localhost', to: 'ops@localhost', subject: 'caught?', text: 'yes' });
      const mails = (await (await fetch(`${mailPage}mails`)).json()) as { subject: string }[];
      expect(mails.map((m) => m.subject)).toContain('caught?');

      const tokens = JSON.parse(await readFile(join(stateDir, 'api-tokens.json'), 'utf8')) as { read: string };
      expect(summary).toContain(tokens.read);
    } finally {
      first.child.kill('SIGINT');
    }
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toMatch(/hostwatch: stopped/);
    const firstKey = /enrolled with key (\w+)/.exec(first.stderr())?.[1];

    const second = start(stateDir, '--nats-sync', '1s');
    try {
      await waitFor('the stack to run again', () => (second.stdout().includes('hostwatch is running') ? true : undefined), {
        timeoutMs: 90_000,
      });
      expect(second.stderr()).toMatch(/database is up to date/);
      expect(/enrolled with key (\w+)/.exec(second.stderr())?.[1]).toBe(firstKey);
      // The server itself reports the interval it was given (nanoseconds in /varz).
      const varz = (await (await fetch(`http://127.0.0.1:${ports['natsMonitor']}/varz`)).json()) as {
        jetstream?: { config?: { sync_interval?: number; sync_always?: boolean } };
      };
      expect(varz.jetstream?.config?.sync_interval).toBe(1_000_000_000);
      expect(varz.jetstream?.config?.sync_always ?? false).toBe(false);
    } finally {
      second.child.kill('SIGINT');
    }
    expect(await second.exited).toBe(0);
  });

  it('refuses a --nats-sync that is neither always nor a duration, saying what it takes', async () => {
    const run = start(join(tmpdir(), 'hostwatch-start-never-created'), '--nats-sync', 'sometimes');
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/--nats-sync "sometimes" is not 'always' or a duration such as 500ms, 1s or 2m/);
  });
});
