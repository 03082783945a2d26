import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AuthLogScanner,
  SessionTracker,
  type AuthEvent,
  type SecurityEvent,
  type SshdEvent,
  type SshSession,
} from '../src/index.js';

// Lines written by a real sshd (OpenSSH 9.2, LogLevel VERBOSE, MaxAuthTries 3) through a real rsyslog in three
// formats at once; see fixtures/README.md and fixtures/make-real-fixtures.sh.
const FORMATS = ['classic', 'rfc3339', 'rfc5424'] as const;
const NOW = Date.parse('2026-11-24T00:00:00Z');

function read(format: (typeof FORMATS)[number]): {
  sshd: SshdEvent[];
  security: SecurityEvent[];
  scanner: AuthLogScanner;
} {
  const text = readFileSync(new URL(`fixtures/real-${format}.log`, import.meta.url), 'utf8');
  const scanner = new AuthLogScanner({ now: NOW, timeZone: 'UTC' });
  const events: AuthEvent[] = [];
  text.split('\n').forEach((line, i) => {
    const event = scanner.scan(line, i + 1);
    if (event !== undefined) events.push(event);
  });
  return {
    sshd: events.filter((e): e is SshdEvent => 'event' in e),
    security: events.filter((e): e is SecurityEvent => 'type' in e),
    scanner,
  };
}

// [line, event, user, method, count, client port]: what the parser makes of the real log.
const EXPECTED: readonly (readonly [number, string, string | null, string | null, number, number])[] = [
  // A client that connects and closes without a word.
  [2, 'connection', null, null, 1, 55284],
  [3, 'probe', null, null, 1, 55284],
  [4, 'disconnected', null, null, 1, 55284],
  // A wrong password: PAM's report (count 0), sshd's own, the close.
  [11, 'connection', null, null, 1, 55290],
  [12, 'failed', 'hwfixture', null, 0, 55290],
  [21, 'failed', 'hwfixture', 'password', 1, 55290],
  [22, 'disconnected', 'hwfixture', null, 1, 55290],
  // An invalid user.
  [23, 'connection', null, null, 1, 55306],
  [24, 'invalid_user', 'nosuchuser', null, 1, 55306],
  [26, 'failed', null, null, 0, 55306],
  [31, 'failed', 'nosuchuser', 'password', 1, 55306],
  [35, 'disconnected', 'nosuchuser', null, 1, 55306],
  // A login; the post-login child (another pid) logs the disconnect.
  [36, 'connection', null, null, 1, 58668],
  [37, 'accepted', 'hwfixture', 'password', 1, 58668],
  [38, 'session_opened', 'hwfixture', null, 1, 58668],
  [51, 'disconnected', null, null, 1, 58668],
  [52, 'disconnected', 'hwfixture', null, 1, 58668],
  [53, 'session_closed', 'hwfixture', null, 1, 58668],
  // Three wrong passwords: MaxAuthTries.
  [54, 'connection', null, null, 1, 58674],
  [55, 'failed', 'hwfixture', null, 0, 58674],
  [64, 'failed', 'hwfixture', 'password', 1, 58674],
  [74, 'failed', 'hwfixture', 'password', 1, 58674],
  [83, 'failed', 'hwfixture', 'password', 1, 58674],
  [84, 'too_many_failures', 'hwfixture', null, 1, 58674],
  [85, 'disconnected', 'hwfixture', null, 1, 58674],
  // The user name `x from 10.0.0.1 port 22 ssh2`.
  [87, 'connection', null, null, 1, 45876],
  [92, 'invalid_user', 'x from 10.0.0.1 port 22 ssh2', null, 1, 45876],
  [94, 'failed', null, null, 0, 45876],
  [102, 'failed', 'x from 10.0.0.1 port 22 ssh2', 'password', 1, 45876],
  [108, 'disconnected', 'x from 10.0.0.1 port 22 ssh2', null, 1, 45876],
  // An HTTP request on the SSH port, an empty connection, a client with only CBC ciphers.
  [109, 'connection', null, null, 1, 45886],
  [110, 'probe', null, null, 1, 45886],
  [111, 'probe', null, null, 1, 45886],
  [112, 'connection', null, null, 1, 45902],
  [113, 'connection', null, null, 1, 45900],
  [114, 'probe', null, null, 1, 45900],
  [115, 'disconnected', null, null, 1, 45900],
  [121, 'negotiation_failed', null, null, 1, 45902],
];

describe.each(FORMATS)('real sshd through real rsyslog, %s format', (format) => {
  const { sshd, security, scanner } = read(format);

  it('yields the events of each connection, every one from 127.0.0.1 on host vm', () => {
    expect(sshd.map((e) => [e.line, e.event, e.user ?? null, e.method ?? null, e.count, e.port])).toEqual(
      EXPECTED,
    );
    for (const e of sshd) expect([e.host, e.source]).toEqual(['vm', '127.0.0.1']);
  });

  it('recognises every sshd line', () => {
    expect(scanner.sshdLines).toBe(49);
    expect(scanner.unparsed).toBe(0);
  });

  it('reads the times: classic to the second in the zone, RFC 3339 and 5424 as written', () => {
    const first = sshd[0]?.time ?? '';
    if (format === 'classic') expect(first).toBe('2026-11-23T19:08:42+00:00');
    else expect(first).toBe('2026-11-23T19:08:42.769574+00:00');
    for (const e of sshd) expect(Date.parse(e.time)).toBeGreaterThan(Date.parse('2026-11-23T19:08:41Z'));
  });

  it('reads the account changes, sudo and su of the same run', () => {
    expect(
      security.map((e) => [e.line, e.type, e.user ?? null, e.target ?? null, e.allowed ?? null]),
    ).toEqual([
      [5, 'group_added', null, 'hwfixture', null],
      [6, 'user_added', null, 'hwfixture', null],
      [7, 'password_changed', null, 'hwfixture', null],
      [10, 'group_added', null, 'hwfixturegrp', null],
      [45, 'sudo', 'hwfixture', 'root', true],
      [116, 'su', 'root', 'hwfixture', true],
      [123, 'password_changed', null, 'hwfixture', null],
      [126, 'group_removed', null, 'hwfixturegrp', null],
      [131, 'user_removed', null, 'hwfixture', null],
      [132, 'group_removed', null, 'hwfixture', null],
    ]);
    expect(security.find((e) => e.type === 'sudo')).toMatchObject({
      command: '/usr/bin/id',
      detail: 'pwd=/home/hwfixture',
    });
  });

  it('folds them into one session per connection, the login with its child process', () => {
    const tracker = new SessionTracker();
    const sessions: SshSession[] = [];
    for (const e of sshd) sessions.push(...tracker.add(e));
    sessions.push(...tracker.flush());
    sessions.sort((a, b) => a.firstLine - b.firstLine);
    expect(sessions.map((s) => [s.firstLine, s.outcome, s.users, s.failures, s.port, s.events])).toEqual([
      [2, 'aborted', [], 0, 55284, 3],
      [11, 'failed', ['hwfixture'], 1, 55290, 4],
      [23, 'failed', ['nosuchuser'], 1, 55306, 5],
      [36, 'accepted', ['hwfixture'], 0, 58668, 6],
      [54, 'failed', ['hwfixture'], 3, 58674, 7],
      [87, 'failed', ['x from 10.0.0.1 port 22 ssh2'], 1, 45876, 5],
      [109, 'aborted', [], 0, 45886, 3],
      [112, 'aborted', [], 0, 45902, 2],
      [113, 'aborted', [], 0, 45900, 3],
    ]);
    const login = sessions[3];
    expect(login?.acceptedUser).toBe('hwfixture');
    expect(login?.lastLine).toBe(53);
    expect(login?.id).toMatch(/^vm:\d+:\d+$/);
  });
});

it('the three formats of one run give the same events', () => {
  const [classic, rfc3339, rfc5424] = FORMATS.map((f) =>
    read(f).sshd.map(({ time: _time, ...rest }) => rest),
  );
  expect(rfc3339).toEqual(classic);
  expect(rfc5424).toEqual(classic);
});
