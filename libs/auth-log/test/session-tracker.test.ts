import { describe, expect, it } from 'vitest';
import {
  AuthLogScanner,
  SessionTracker,
  sessionId,
  type SessionTrackerOptions,
  type SshdEvent,
  type SshSession,
} from '../src/index.js';

function sessionsOf(
  lines: readonly string[],
  options?: SessionTrackerOptions,
): { finishedEarly: SshSession[]; all: SshSession[] } {
  const scanner = new AuthLogScanner({ now: Date.parse('2026-11-23T23:00:00Z'), timeZone: 'UTC' });
  const tracker = new SessionTracker(options);
  const finishedEarly: SshSession[] = [];
  lines.forEach((text, i) => {
    const event = scanner.scan(text, i + 1);
    if (event !== undefined && 'event' in event) finishedEarly.push(...tracker.add(event));
  });
  return {
    finishedEarly,
    all: [...finishedEarly, ...tracker.flush()].sort((a, b) => a.firstLine - b.firstLine),
  };
}

const BRUTE = [
  'Nov 23 10:00:00 web-01 sshd[100]: Invalid user admin from 203.0.113.5 port 40000',
  'Nov 23 10:00:02 web-01 sshd[100]: Failed password for invalid user admin from 203.0.113.5 port 40000 ssh2',
  'Nov 23 10:00:02 web-01 sshd[100]: message repeated 2 times: [ Failed password for invalid user admin from 203.0.113.5 port 40000 ssh2]',
  'Nov 23 10:00:04 web-01 sshd[100]: Failed password for invalid user guest from 203.0.113.5 port 40000 ssh2',
  'Nov 23 10:00:05 web-01 sshd[100]: Disconnecting invalid user guest 203.0.113.5 port 40000: Too many authentication failures [preauth]',
  // The same pid again, later: pid reuse, a new connection.
  'Nov 23 12:00:00 web-01 sshd[100]: Accepted publickey for alice from 198.51.100.7 port 5022 ssh2: ED25519 SHA256:x',
];

describe('SessionTracker', () => {
  it('folds the attempts of one connection: users, methods, failures (repeats counted), outcome, start and end', () => {
    const { all } = sessionsOf(BRUTE);
    expect(all).toHaveLength(2);
    expect(all[0]).toEqual({
      id: `web-01:100:${Date.parse('2026-11-23T10:00:00Z')}`,
      host: 'web-01',
      pid: 100,
      source: '203.0.113.5',
      port: 40000,
      users: ['admin', 'guest'],
      methods: ['password'],
      failures: 4,
      outcome: 'failed',
      acceptedUser: undefined,
      start: '2026-11-23T10:00:00+00:00',
      end: '2026-11-23T10:00:05+00:00',
      firstLine: 1,
      lastLine: 5,
      events: 5,
    });
    expect(all[1]).toMatchObject({
      outcome: 'accepted',
      acceptedUser: 'alice',
      source: '198.51.100.7',
      end: undefined,
      firstLine: 6,
    });
  });

  it('gives the same ids when the same log is read again', () => {
    expect(sessionsOf(BRUTE).all.map((s) => s.id)).toEqual(sessionsOf(BRUTE).all.map((s) => s.id));
    expect(new Set(sessionsOf(BRUTE).all.map((s) => s.id)).size).toBe(2);
  });

  it('hands a session back once its grace after the disconnect has passed, in log time', () => {
    const { finishedEarly } = sessionsOf(BRUTE, { graceMs: 60_000 });
    expect(finishedEarly.map((s) => s.firstLine)).toEqual([1]);
  });

  it('gives up a session that never disconnects after the idle time', () => {
    const { finishedEarly } = sessionsOf(
      [
        'Nov 23 10:00:00 web-01 sshd[1]: Connection from 203.0.113.1 port 1 on 192.0.2.2 port 22',
        'Nov 23 11:00:00 web-01 sshd[2]: Connection from 203.0.113.2 port 2 on 192.0.2.2 port 22',
      ],
      { idleMs: 600_000 },
    );
    expect(finishedEarly).toMatchObject([{ pid: 1, outcome: 'aborted', end: undefined }]);
  });

  it('keeps hosts apart', () => {
    const { all } = sessionsOf([
      'Nov 23 10:00:00 web-01 sshd[7]: Invalid user a from 203.0.113.1 port 1',
      'Nov 23 10:00:00 web-02 sshd[7]: Invalid user b from 203.0.113.2 port 2',
    ]);
    expect(all.map((s) => [s.host, s.users])).toEqual([
      ['web-01', ['a']],
      ['web-02', ['b']],
    ]);
  });

  it('adds events one by one without a scanner', () => {
    const tracker = new SessionTracker();
    const base: SshdEvent = {
      line: 1,
      time: '2026-11-23T10:00:00Z',
      host: 'h',
      pid: 5,
      event: 'not_allowed',
      source: '192.0.2.9',
      user: 'root',
      port: 22,
      method: undefined,
      count: 1,
    };
    expect(tracker.add(base)).toEqual([]);
    expect(tracker.open).toBe(1);
    expect(tracker.sessionIdOf(base)).toBe(`h:5:${Date.parse(base.time)}`);
    expect(tracker.sessionIdOf({ ...base, pid: 6 })).toBeUndefined();
    expect(tracker.flush()).toMatchObject([{ outcome: 'failed', users: ['root'] }]);
    expect(tracker.open).toBe(0);
    expect(tracker.sessionIdOf(base)).toBeUndefined();
  });

  it('names the session of the post-login child by its parent', () => {
    const scanner = new AuthLogScanner({ now: Date.parse('2026-11-23T23:00:00Z'), timeZone: 'UTC' });
    const tracker = new SessionTracker();
    const ids = [
      'Nov 23 10:00:00 web-01 sshd[100]: Accepted password for bob from 198.51.100.8 port 6000 ssh2',
      'Nov 23 10:00:00 web-01 sshd[100]: User child is on pid 101',
      'Nov 23 10:09:00 web-01 sshd[101]: Received disconnect from 198.51.100.8 port 6000:11: disconnected by user',
    ].flatMap((text, i) => {
      const event = scanner.scan(text, i + 1);
      if (event === undefined || !('event' in event)) return [];
      tracker.add(event);
      return [tracker.sessionIdOf(event)];
    });
    expect(ids).toEqual([
      `web-01:100:${Date.parse('2026-11-23T10:00:00Z')}`,
      `web-01:100:${Date.parse('2026-11-23T10:00:00Z')}`,
    ]);
  });
});

describe('sessionId', () => {
  it('is host, pid and the first time; hashed when too long', () => {
    expect(sessionId('web-01', 42, 1_700_000_000_000)).toBe('web-01:42:1700000000000');
    expect(sessionId(undefined, undefined, 5, '192.0.2.1')).toBe('-:-:5:192.0.2.1');
    const long = sessionId('h'.repeat(250), 1, 1);
    expect(long).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sessionId('h'.repeat(250), 1, 1)).toBe(long);
    expect(sessionId('h'.repeat(250), 2, 1)).not.toBe(long);
  });
});
