/// <reference lib="dom" />
// The whole system, end to end, against a real OpenSSH server: sshd logs through rsyslogd into a
// temp auth.log, the stack runs as `npm start` runs it with its agent watching that log, and what
// sshpass did shows up in the API, in the caught mail and in the dashboard in Chromium.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { waitFor } from '@hostwatch/testkit';
import { describe, expect, it } from 'vitest';
import { startStackProcess, type CaughtMail, type StackProcess } from './support/local-stack-process.js';
import { startSshLab, type SshLab } from './support/ssh-lab.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

const MAIL_TO = 'ops@e2e.test';

const RULES = (hostId: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<clients>
  <client host="${hostId}" mail="${MAIL_TO}">
    <alert type="ssh-failures" limit="3" window="10m" />
  </client>
</clients>
`;

interface Session {
  session: string;
  source: string | null;
  users: string[];
  failures: number;
  invalidUsers: number;
  accepted: number;
  outcome: 'accepted' | 'failed' | 'probe';
  closed: boolean;
}

interface AttemptsDay {
  hostId: string;
  day: string;
  attempts: number;
  failures: number;
  invalidUsers: number;
  accepted: number;
  sources: number;
}

/**
 * Three wrong passwords for the real user, one invalid user, one correct login; `between` runs
 * after each but the last. Resolves to a time before the third wrong password was sent.
 */
async function knock(
  lab: SshLab,
  invalidUser: string,
  between: (step: number) => Promise<void>,
): Promise<number> {
  let thirdTypedAfter = 0;
  const attempts: [string, string, boolean][] = [
    [lab.user, 'wrong-password-1', false],
    [lab.user, 'wrong-password-2', false],
    [lab.user, 'wrong-password-3', false],
    [invalidUser, 'whatever', false],
    [lab.user, lab.password, true],
  ];
  for (const [step, [user, password, succeeds]] of attempts.entries()) {
    const { code, stderr } = await lab.login(user, password);
    if (succeeds) expect(code, `ssh ${user} with the right password: ${stderr}`).toBe(0);
    else {
      // One password prompt: ssh gives up with 255 after the server refused it.
      expect(code, `ssh ${user} with a wrong password: ${stderr}`).toBe(255);
      expect(stderr).toContain('Permission denied');
    }
    if (step < attempts.length - 1) await between(step);
    if (step === 1) thirdTypedAfter = Date.now();
  }
  return thirdTypedAfter;
}

async function checkApi(stack: StackProcess, lab: SshLab, invalidUser: string): Promise<void> {
  const host = encodeURIComponent(stack.hostId);
  const sessions = await waitFor(
    'five closed ssh sessions in the API',
    async () => {
      const page = await stack.api<{ items: Session[] }>(`/ssh/sessions?host=${host}&limit=50`);
      const closed = page.items.filter((s) => s.closed);
      return closed.length >= 5 ? page.items : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  ).catch(async (err: Error) => {
    const page = await stack.api<{ items: Session[] }>(`/ssh/sessions?host=${host}&limit=50`);
    throw new Error(
      `${err.message}\nsessions: ${JSON.stringify(page.items, null, 1)}\nauth.log:\n${(await lab.lines()).join('\n')}`,
    );
  });
  expect.soft(sessions, JSON.stringify(sessions)).toHaveLength(5);
  for (const s of sessions) expect.soft(s.source).toBe('127.0.0.1');
  const byOutcome = (outcome: string): Session[] => sessions.filter((s) => s.outcome === outcome);
  expect.soft(byOutcome('probe')).toEqual([]);
  const accepted = byOutcome('accepted');
  expect.soft(accepted.map((s) => [s.users, s.accepted, s.failures])).toEqual([[[lab.user], 1, 0]]);
  const failed = byOutcome('failed');
  expect
    .soft(failed.filter((s) => s.users.includes(lab.user)).map((s) => [s.users, s.failures, s.invalidUsers]))
    .toEqual([
      [[lab.user], 1, 0],
      [[lab.user], 1, 0],
      [[lab.user], 1, 0],
    ]);
  const invalid = failed.filter((s) => s.users.includes(invalidUser));
  // sshd logs "Invalid user" and then "Failed password for invalid user": one invalid user, one failed password.
  expect
    .soft(invalid.map((s) => [s.users, s.invalidUsers, s.failures, s.accepted]))
    .toEqual([[[invalidUser], 1, 1, 0]]);

  const today = new Date().toISOString().slice(0, 10);
  const days = await stack.api<{ items: AttemptsDay[] } | AttemptsDay[]>(`/ssh/attempts?host=${host}`);
  const list = Array.isArray(days) ? days : days.items;
  const day = list.find((d) => d.day === today);
  // Five connections; four failed passwords (three for the real user, one for the invalid user).
  expect.soft(day, JSON.stringify(list)).toEqual({
    hostId: stack.hostId,
    day: today,
    attempts: 5,
    failures: 4,
    invalidUsers: 1,
    accepted: 1,
    sources: 1,
  });
}

async function checkMail(
  stack: StackProcess,
  lab: SshLab,
  invalidUser: string,
  thirdTypedAfter: number,
): Promise<void> {
  const prefix = `[hostwatch] ${stack.hostId}: `;
  const alertSubject = `[hostwatch] FIRING: ssh-failures on ${stack.hostId}`;
  let mails: CaughtMail[] = [];
  await waitFor(
    'the ssh-failures alert and the security mails of each attempt',
    async () => {
      mails = (await stack.mails()).filter((m) => m.to.includes(MAIL_TO));
      const subjects = mails.map((m) => m.subject);
      const has = (s: string): boolean => subjects.includes(s);
      return subjects.some((s) => s.startsWith(alertSubject)) &&
        subjects.filter((s) => s === `${prefix}failed ${lab.user} from 127.0.0.1`).length >= 3 &&
        has(`${prefix}invalid_user ${invalidUser} from 127.0.0.1`) &&
        has(`${prefix}accepted ${lab.user} from 127.0.0.1`)
        ? true
        : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nmails so far:\n${mails.map((m) => m.subject).join('\n')}`);
  });
  // Nothing doubled: one FIRING mail, one mail per failed password, one for the invalid user, one for the login.
  const subjects = mails.map((m) => m.subject);
  expect
    .soft(
      subjects.filter((s) => s.startsWith(alertSubject)),
      subjects.join('\n'),
    )
    .toHaveLength(1);
  expect.soft(subjects.filter((s) => s === `${prefix}failed ${lab.user} from 127.0.0.1`)).toHaveLength(3);
  expect
    .soft(subjects.filter((s) => s === `${prefix}invalid_user ${invalidUser} from 127.0.0.1`))
    .toHaveLength(1);
  expect.soft(subjects.filter((s) => s === `${prefix}accepted ${lab.user} from 127.0.0.1`)).toHaveLength(1);
  expect.soft(new Set(mails.map((m) => m.subject + m.text)).size, 'no mail arrived twice').toBe(mails.length);

  const alert = mails.find((m) => m.subject.startsWith(alertSubject))!;
  expect.soft(alert.subject).toMatch(/: 3 failed attempts \(limit 3 failed attempts within 10m\)$/);
  // The alert must not fire before the third wrong password was typed.
  const since = Date.parse(/Since:\s+(\S+)/.exec(alert.text)?.[1] ?? '');
  expect
    .soft(
      since,
      `the alert fired at ${new Date(since).toISOString()}, before the third wrong password (typed after ${new Date(thirdTypedAfter).toISOString()})`,
    )
    .toBeGreaterThanOrEqual(thirdTypedAfter);
  expect.soft(alert.text).toContain(`Host:       ${stack.hostId}`);
  expect.soft(alert.text).toMatch(/Rule:\s+ssh-failures, limit 3/);
  const login = mails.find((m) => m.subject === `${prefix}accepted ${lab.user} from 127.0.0.1`)!;
  expect
    .soft(login.text)
    .toMatch(
      new RegExp(`accepted\\s+user ${lab.user}\\s+from 127\\.0\\.0\\.1\\s+port \\d+\\s+method password`),
    );
  const invalid = mails.find((m) => m.subject === `${prefix}invalid_user ${invalidUser} from 127.0.0.1`)!;
  expect.soft(invalid.text).toContain(`Users:      ${invalidUser} (1)`);
}

async function checkDashboard(stack: StackProcess, lab: SshLab, invalidUser: string): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'hostwatch-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 900 },
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${stack.apiBase}/#token=${stack.readToken}`);
    await expect
      .poll(() => page.locator(`table.fleet tr[data-host="${stack.hostId}"]`).count(), { timeout: 30_000 })
      .toBe(1);
    await page.locator(`tr[data-host="${stack.hostId}"] a`).click();
    const rows = page.locator('table.sessions tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(5);
    const outcomes = await rows.evaluateAll((trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset['outcome']).sort(),
    );
    expect(outcomes).toEqual(['accepted', 'failed', 'failed', 'failed', 'failed']);
    const text = await page.locator('table.sessions').innerText();
    expect(text).toContain('127.0.0.1');
    expect(text).toContain(lab.user);
    expect(text).toContain(invalidUser);
    const accepted = page.locator('table.sessions tbody tr[data-outcome="accepted"]');
    expect(await accepted.innerText()).toContain(lab.user);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** Runs one scenario with its own sshd, rsyslogd, user and stack, and removes all of it afterwards. */
async function scenario(rotate: boolean): Promise<void> {
  const lab = await startSshLab();
  let stack: StackProcess | undefined;
  try {
    const hostId = `e2e-${randomBytes(3).toString('hex')}`;
    stack = await startStackProcess({
      hostId,
      rulesXml: RULES,
      env: { AUTH_LOG_SOURCE: 'file', AUTH_LOG_PATHS: lab.authLog, SECURITY_DIGEST_WINDOW: '0' },
    });
    expect(stack.output()).toContain(`host id ${hostId}`);
    await waitFor(
      'the agent to answer',
      async () =>
        (await fetch(`http://127.0.0.1:${stack!.ports.agent}/healthz`).catch(() => undefined))?.ok
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const invalidUser = `nosuch${randomBytes(2).toString('hex')}`;
    const thirdTypedAfter = await knock(lab, invalidUser, async (step) => {
      // Rotation between attempts: after the second wrong password and after the invalid user.
      if (rotate && (step === 1 || step === 3)) await lab.rotate();
    });
    await checkApi(stack, lab, invalidUser);
    await checkMail(stack, lab, invalidUser, thirdTypedAfter);
    await checkDashboard(stack, lab, invalidUser);
    expect(await stack.stop(), stack.output().slice(-4000)).toBe(0);
  } finally {
    await stack?.dispose();
    await lab.stop();
  }
}

// One file, run in sequence: each scenario's rsyslogd needs /dev/log for itself.
describe('end to end with a real sshd', () => {
  it(
    'three wrong passwords, an invalid user and a login show in the API, the mail and the dashboard',
    { timeout: 300_000 },
    async () => {
      await scenario(false);
    },
  );

  it('the same when logrotate rotates the auth.log between attempts', { timeout: 300_000 }, async () => {
    await scenario(true);
  });
});
