import { describe, expect, it } from 'vitest';
import {
  AuthLogScanner,
  parseAuthLine,
  parseJournalRecord,
  SyslogClock,
  type AuthEvent,
  type AuthLogScannerOptions,
  type SecurityEvent,
  type SshdEvent,
} from '../src/index.js';
import { CASES } from './sshd-cases.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

function scanAll(
  lines: readonly string[],
  options: AuthLogScannerOptions = {},
): { events: AuthEvent[]; scanner: AuthLogScanner } {
  const scanner = new AuthLogScanner({ now: NOW, timeZone: 'UTC', ...options });
  const events: AuthEvent[] = [];
  lines.forEach((text, i) => {
    const event = scanner.scan(text, i + 1);
    if (event !== undefined) events.push(event);
  });
  return { events, scanner };
}

const sshd = (events: AuthEvent[]): SshdEvent[] => events.filter((e): e is SshdEvent => 'event' in e);
const security = (events: AuthEvent[]): SecurityEvent[] =>
  events.filter((e): e is SecurityEvent => 'type' in e);

function journal(fields: Record<string, unknown>): string {
  return JSON.stringify({ __REALTIME_TIMESTAMP: '1763892000123456', _HOSTNAME: 'db-01', ...fields });
}

describe('the same event in every format', () => {
  const message = 'Failed password for invalid user admin from 203.0.113.5 port 40022 ssh2';
  const expected = {
    host: 'web-01',
    pid: 812,
    event: 'failed',
    source: '203.0.113.5',
    user: 'admin',
    port: 40022,
    method: 'password',
    count: 1,
  };

  it.each([
    ['classic', `Nov 23 10:00:00 web-01 sshd[812]: ${message}`, '2026-11-23T10:00:00+00:00'],
    ['classic, day padded', `Nov  3 10:00:00 web-01 sshd[812]: ${message}`, '2026-11-03T10:00:00+00:00'],
    ['classic with <pri>', `<38>Nov 23 10:00:00 web-01 sshd[812]: ${message}`, '2026-11-23T10:00:00+00:00'],
    [
      'RFC 3339',
      `2026-11-23T10:00:00.123456+02:00 web-01 sshd[812]: ${message}`,
      '2026-11-23T10:00:00.123456+02:00',
    ],
    ['RFC 3339, no fraction, Z', `2026-11-23T10:00:00Z web-01 sshd[812]: ${message}`, '2026-11-23T10:00:00Z'],
    [
      'RFC 3339 without offset (local)',
      `2026-11-23T10:00:00.5 web-01 sshd[812]: ${message}`,
      '2026-11-23T10:00:00.5+00:00',
    ],
    [
      'RFC 5424',
      `<38>1 2026-11-23T10:00:00.123456+02:00 web-01 sshd 812 - - ${message}`,
      '2026-11-23T10:00:00.123456+02:00',
    ],
    [
      'RFC 5424 with structured data',
      `<38>1 2026-11-23T10:00:00Z web-01 sshd 812 - [a@1 k="v]x"][b@2] \uFEFF${message}`,
      '2026-11-23T10:00:00Z',
    ],
    ['sshd-session', `Nov 23 10:00:00 web-01 sshd-session[812]: ${message}`, '2026-11-23T10:00:00+00:00'],
    ['sshd-auth', `Nov 23 10:00:00 web-01 sshd-auth[812]: ${message}`, '2026-11-23T10:00:00+00:00'],
  ])('%s', (_name, line, time) => {
    expect(parseAuthLine(line, { now: NOW, timeZone: 'UTC', line: 7 })).toEqual([
      { line: 7, time, ...expected },
    ]);
  });

  it('journalctl -o json, MESSAGE as text or as bytes, time in the zone given', () => {
    const base = { SYSLOG_IDENTIFIER: 'sshd', _PID: '812', MESSAGE: message };
    const bytes = [...Buffer.from(message, 'utf8')];
    const zurich = { now: NOW, timeZone: 'Europe/Zurich', format: 'journal' } as const;
    for (const record of [journal(base), journal({ ...base, MESSAGE: bytes })]) {
      expect(parseAuthLine(record, zurich)).toEqual([
        { line: 1, time: '2025-11-23T11:00:00.123456+01:00', ...expected, host: 'db-01' },
      ]);
    }
    expect(parseAuthLine(journal({ ...base, SYSLOG_IDENTIFIER: 'sshd-session' }), zurich)).toHaveLength(1);
    expect(parseAuthLine(journal({ ...base, SYSLOG_IDENTIFIER: 'CRON' }), zurich)).toEqual([]);
    expect(parseAuthLine('{"not": "a journal record"}', zurich)).toEqual([]);
    expect(parseAuthLine('{broken', zurich)).toEqual([]);
  });

  it('auto tells journal records from syslog lines per line', () => {
    const { events } = scanAll([
      journal({ SYSLOG_IDENTIFIER: 'sshd', _PID: '1', MESSAGE: 'Invalid user a from 192.0.2.1' }),
      'Nov 23 10:00:00 web-01 sshd[2]: Invalid user b from 192.0.2.2',
    ]);
    expect(sshd(events).map((e) => e.source)).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('lines without host, without pid, and with bracketed program', () => {
    const { events } = scanAll([
      'Nov 23 10:00:00 sshd[5]: Invalid user a from 192.0.2.1',
      'Nov 23 10:00:00 web-01 sshd: Invalid user b from 192.0.2.2',
      'Nov 23 10:00:00 [sshd]: Invalid user c from 192.0.2.3',
      'Nov 23 10:00:00 [sshd] Invalid user d from 192.0.2.4',
    ]);
    expect(sshd(events).map((e) => [e.host, e.pid, e.user])).toEqual([
      [undefined, 5, 'a'],
      ['web-01', undefined, 'b'],
      [undefined, undefined, 'c'],
      [undefined, undefined, 'd'],
    ]);
  });

  it('ignores other programs and lines that are no log lines', () => {
    const { events, scanner } = scanAll([
      'Nov 23 10:00:01 web-01 CRON[9]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
      'Nov 23 10:00:01 web-01 systemd-logind[611]: New session 5 of user alice.',
      'Nov 23 10:00:01 web-01 sshdx[3]: Invalid user a from 192.0.2.1',
      'garbage',
      '',
      'Nov 99 10:00:01 web-01 sshd[3]: Invalid user a from 192.0.2.1',
    ]);
    expect(events).toEqual([]);
    expect(scanner.sshdLines).toBe(0);
  });
});

describe('time', () => {
  const line = (stamp: string): string => `${stamp} web-01 sshd[1]: Invalid user a from 192.0.2.1`;
  const timeOf = (stamp: string, options: AuthLogScannerOptions): string | undefined => {
    const [event] = parseAuthLine(line(stamp), options);
    return event?.time;
  };

  it('gives a classic line the latest year that is not after now: December lines read in January', () => {
    const january = { now: Date.parse('2027-01-05T08:00:00Z'), timeZone: 'UTC' };
    expect(timeOf('Dec 31 23:59:59', january)).toBe('2026-12-31T23:59:59+00:00');
    expect(timeOf('Jan  5 07:59:59', january)).toBe('2027-01-05T07:59:59+00:00');
    expect(timeOf('Jan  5 08:00:01', january)).toBe('2026-01-05T08:00:01+00:00');
    expect(timeOf('Jan  5 08:00:00', january)).toBe('2027-01-05T08:00:00+00:00');
  });

  it('puts 29 February in the latest leap year not after now', () => {
    expect(timeOf('Feb 29 12:00:00', { now: Date.parse('2026-03-01T00:00:00Z'), timeZone: 'UTC' })).toBe(
      '2024-02-29T12:00:00+00:00',
    );
  });

  it('follows a live clock: the same text later falls in the next year', () => {
    let now = Date.parse('2026-12-31T23:00:00Z');
    const scanner = new AuthLogScanner({ now: () => now, timeZone: 'UTC' });
    const at = (stamp: string): string | undefined =>
      (scanner.scan(line(stamp), 1) as SshdEvent | undefined)?.time;
    expect(at('Jan  1 00:30:00')).toBe('2026-01-01T00:30:00+00:00');
    now = Date.parse('2027-01-01T01:00:00Z');
    expect(at('Jan  1 00:30:00')).toBe('2027-01-01T00:30:00+00:00');
  });

  it('reads zoneless times in the zone given, across daylight saving changes', () => {
    const zurich = { now: NOW, timeZone: 'Europe/Zurich' };
    expect(timeOf('Jul 14 10:00:00', zurich)).toBe('2026-07-14T10:00:00+02:00');
    expect(timeOf('Jan 14 10:00:00', zurich)).toBe('2026-01-14T10:00:00+01:00');
    // 2026-03-29 02:30 does not exist in Zurich (clocks jump 02:00 -> 03:00); 2026-10-25 02:30 happens twice.
    expect(timeOf('Mar 29 01:59:59', zurich)).toBe('2026-03-29T01:59:59+01:00');
    expect(timeOf('Mar 29 03:00:00', zurich)).toBe('2026-03-29T03:00:00+02:00');
    expect(timeOf('Oct 25 02:30:00', zurich)).toBe('2026-10-25T02:30:00+02:00');
    expect(timeOf('Oct 25 03:30:00', zurich)).toBe('2026-10-25T03:30:00+01:00');
    const newYork = { now: NOW, timeZone: 'America/New_York' };
    expect(timeOf('Jul  4 12:00:00', newYork)).toBe('2026-07-04T12:00:00-04:00');
    expect(timeOf('Dec 24 12:00:00', { now: NOW, timeZone: 'Asia/Kolkata' })).toBe(
      '2025-12-24T12:00:00+05:30',
    );
  });

  it('uses the process zone (TZ) when no zone is given', () => {
    const clock = new SyslogClock({ now: NOW });
    const expected = new Date(2026, 6, 14, 10, 0, 0);
    const offset = -expected.getTimezoneOffset();
    const sign = offset < 0 ? '-' : '+';
    const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    expect(clock.classic('Jul', 14, 10, 0, 0)).toBe(`2026-07-14T10:00:00${sign}${hhmm}`);
    expect(Date.parse(clock.classic('Jul', 14, 10, 0, 0) ?? '')).toBe(expected.getTime());
  });

  it('journal times are shown in the zone with microseconds', () => {
    const record = journal({
      SYSLOG_IDENTIFIER: 'sshd',
      MESSAGE: 'x',
      __REALTIME_TIMESTAMP: '1719835200000001',
    });
    expect(parseJournalRecord(record, new SyslogClock({ timeZone: 'America/New_York' }))?.time).toBe(
      '2024-07-01T08:00:00.000001-04:00',
    );
  });
});

describe('per-process attribution', () => {
  it('takes the source of a line that names none from an earlier line of the same sshd process', () => {
    const { events } = scanAll([
      'Nov 23 10:00:00 web-01 sshd[100]: Connection from 203.0.113.50 port 5000 on 192.0.2.2 port 22',
      'Nov 23 10:00:00 web-01 sshd[200]: Connection from 203.0.113.60 port 6000 on 192.0.2.2 port 22',
      'Nov 23 10:00:01 web-01 sshd[100]: error: kex_exchange_identification: Connection closed by remote host',
      'Nov 23 10:00:01 db-01 sshd[100]: error: kex_exchange_identification: Connection closed by remote host',
      'Nov 23 10:00:02 web-01 sshd[200]: Disconnecting: Too many authentication failures [preauth]',
      'Nov 23 10:00:03 web-01 sshd[300]: fatal: Read from socket failed: Connection reset by peer [preauth]',
    ]);
    expect(sshd(events).map((e) => [e.line, e.event, e.source, e.port])).toEqual([
      [1, 'connection', '203.0.113.50', 5000],
      [2, 'connection', '203.0.113.60', 6000],
      [3, 'probe', '203.0.113.50', 5000],
      [4, 'probe', undefined, undefined],
      [5, 'too_many_failures', '203.0.113.60', 6000],
      [6, 'disconnected', undefined, undefined],
    ]);
  });

  it('gives PAM session lines the peer, and the post-login child (User child is on pid) too', () => {
    const { events } = scanAll([
      'Nov 23 10:00:00 web-01 sshd[100]: Accepted publickey for alice from 198.51.100.7 port 5022 ssh2: ED25519 SHA256:x',
      'Nov 23 10:00:00 web-01 sshd[100]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)',
      'Nov 23 10:00:00 web-01 sshd[100]: User child is on pid 101',
      'Nov 23 10:05:00 web-01 sshd[101]: Read from socket failed: Connection reset by peer',
      'Nov 23 10:05:00 web-01 sshd[100]: pam_unix(sshd:session): session closed for user alice',
    ]);
    expect(sshd(events).map((e) => [e.pid, e.event, e.source, e.user])).toEqual([
      [100, 'accepted', '198.51.100.7', 'alice'],
      [100, 'session_opened', '198.51.100.7', 'alice'],
      [101, 'disconnected', '198.51.100.7', undefined],
      [100, 'session_closed', '198.51.100.7', 'alice'],
    ]);
  });

  it('a reused pid with a new peer starts afresh', () => {
    const { events } = scanAll([
      'Nov 23 10:00:00 web-01 sshd[100]: Invalid user a from 203.0.113.1 port 1',
      'Nov 23 10:00:01 web-01 sshd[100]: Disconnecting: Too many authentication failures [preauth]',
      'Nov 23 11:00:00 web-01 sshd[100]: Invalid user b from 203.0.113.2 port 2',
      'Nov 23 11:00:01 web-01 sshd[100]: Disconnecting: Too many authentication failures [preauth]',
    ]);
    expect(sshd(events).map((e) => [e.event, e.source])).toEqual([
      ['invalid_user', '203.0.113.1'],
      ['too_many_failures', '203.0.113.1'],
      ['invalid_user', '203.0.113.2'],
      ['too_many_failures', '203.0.113.2'],
    ]);
  });

  it('reports one too_many_failures per process: the Disconnecting line after it is a disconnect', () => {
    const { events } = scanAll([
      'Nov 23 10:00:00 web-01 sshd[7]: error: maximum authentication attempts exceeded for root from 203.0.113.3 port 9 ssh2 [preauth]',
      'Nov 23 10:00:00 web-01 sshd[7]: Disconnecting authenticating user root 203.0.113.3 port 9: Too many authentication failures [preauth]',
    ]);
    expect(sshd(events).map((e) => e.event)).toEqual(['too_many_failures', 'disconnected']);
  });

  it('uses the earlier peer to settle a user name built to look like an address', () => {
    const { events } = scanAll([
      'Nov 23 10:00:00 web-01 sshd[8]: Invalid user x from 10.0.0.1 port 22 ssh2: from 203.0.113.4 port 4444',
      'Nov 23 10:00:02 web-01 sshd[8]: Failed password for invalid user x from 10.0.0.1 port 22 ssh2: from 203.0.113.4 port 4444 ssh2',
    ]);
    expect(sshd(events).map((e) => [e.event, e.source, e.port])).toEqual([
      ['invalid_user', '203.0.113.4', 4444],
      ['failed', '203.0.113.4', 4444],
    ]);
  });

  it('forgets the least recently seen processes beyond its limit', () => {
    const lines = [
      'Nov 23 10:00:00 web-01 sshd[1]: Connection from 203.0.113.1 port 1 on 192.0.2.2 port 22',
      ...Array.from(
        { length: 10 },
        (_, i) =>
          `Nov 23 10:00:00 web-01 sshd[${i + 10}]: Connection from 203.0.113.9 port 9 on 192.0.2.2 port 22`,
      ),
      'Nov 23 10:00:01 web-01 sshd[1]: error: kex_exchange_identification: Connection closed by remote host',
      'Nov 23 10:00:01 web-01 sshd[19]: error: kex_exchange_identification: Connection closed by remote host',
    ];
    const { events } = scanAll(lines, { maxProcesses: 4 });
    expect(
      sshd(events)
        .slice(-2)
        .map((e) => e.source),
    ).toEqual([undefined, '203.0.113.9']);
  });
});

describe('many sshd processes', () => {
  it('keeps at least the most recent half of its limit, forgets what is older than its limit, per host', () => {
    const connection = (host: string, pid: number) =>
      `Nov 23 10:00:00 ${host} sshd[${pid}]: Connection from 198.51.${pid % 256}.${pid >> 8} port ${pid} on 192.0.2.2 port 22`;
    const kex = (host: string, pid: number) =>
      `Nov 23 10:00:01 ${host} sshd[${pid}]: error: kex_exchange_identification: Connection closed by remote host`;
    const pids = Array.from({ length: 5000 }, (_, i) => 100_000 + i);
    const lines = [
      ...pids.flatMap((pid) => [connection('web-01', pid), connection('web-02', pid + 1)]),
      // Newest first, so that finding one does not push out the others.
      ...pids
        .slice(-500)
        .reverse()
        .map((pid) => kex('web-01', pid)),
      ...pids.slice(0, 3000).map((pid) => kex('web-01', pid)),
      kex('web-02', pids.at(-1)! + 1),
      kex('web-03', pids.at(-1)!),
    ];
    const { events } = scanAll(lines, { maxProcesses: 1000 });
    const probes = sshd(events).filter((e) => e.event === 'probe');
    const recent = probes.slice(0, 500);
    const old = probes.slice(500, 3500);
    expect(recent.map((e) => [e.source, e.port])).toEqual(
      recent.map((e) => [`198.51.${e.pid! % 256}.${e.pid! >> 8}`, e.pid]),
    );
    expect(old.filter((e) => e.source !== undefined)).toEqual([]);
    expect(probes.at(-2)?.source).toBe(`198.51.${(pids.at(-1)! + 1) % 256}.${(pids.at(-1)! + 1) >> 8}`);
    expect(probes.at(-1)?.source).toBeUndefined();
  });
});

describe('format drift', () => {
  it('counts sshd lines it does not recognise and keeps the first few', () => {
    const lines = [
      'Nov 23 10:00:00 web-01 sshd[1]: Invalid user a from 192.0.2.1',
      ...Array.from(
        { length: 12 },
        (_, i) => `Nov 23 10:00:00 web-01 sshd[2]: Some new message ${i} from 192.0.2.1`,
      ),
      'Nov 23 10:00:00 web-01 CRON[3]: Some new message from cron',
    ];
    const { scanner } = scanAll(lines);
    expect(scanner.sshdLines).toBe(13);
    expect(scanner.unparsed).toBe(12);
    expect(scanner.unparsedSamples).toHaveLength(10);
    expect(scanner.unparsedSamples[0]).toEqual({ line: 2, text: lines[1] });
  });

  it('keeps as many samples as asked', () => {
    const { scanner } = scanAll(
      ['Nov 23 10:00:00 web-01 sshd[2]: ??', 'Nov 23 10:00:00 web-01 sshd[2]: !!'],
      { maxSamples: 1 },
    );
    expect(scanner.unparsed).toBe(2);
    expect(scanner.unparsedSamples.map((s) => s.line)).toEqual([1]);
  });
});

describe('security events', () => {
  const at = 'Nov 23 10:00:00 web-01';
  it.each([
    [
      `${at} sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update`,
      {
        type: 'sudo',
        user: 'alice',
        target: 'root',
        command: '/usr/bin/apt update',
        tty: 'pts/0',
        allowed: true,
        detail: 'pwd=/home/alice',
      },
    ],
    [
      `${at} sudo:      bob : command not allowed ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh -c echo " ; USER=x ; COMMAND=y"`,
      {
        type: 'sudo',
        user: 'bob',
        target: 'root',
        command: '/bin/sh -c echo " ; USER=x ; COMMAND=y"',
        tty: 'pts/1',
        allowed: false,
        detail: 'command not allowed; pwd=/tmp',
      },
    ],
    [
      `${at} sudo:      eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/bin/bash`,
      { type: 'sudo', user: 'eve', allowed: false, detail: 'user NOT in sudoers; pwd=/home/eve' },
    ],
    [
      `${at} sudo[77]:    carol : 3 incorrect password attempts ; TTY=pts/3 ; PWD=/ ; USER=root ; COMMAND=/bin/ls`,
      { type: 'sudo', user: 'carol', allowed: false, pid: 77 },
    ],
    [
      `${at} su[5]: (to root) alice on pts/0`,
      { type: 'su', user: 'alice', target: 'root', tty: 'pts/0', allowed: true },
    ],
    [
      `${at} su[5]: FAILED SU (to root) mallory on pts/4`,
      { type: 'su', user: 'mallory', target: 'root', tty: 'pts/4', allowed: false },
    ],
    [
      `${at} su[5]: Successful su for root by alice`,
      { type: 'su', user: 'alice', target: 'root', allowed: true },
    ],
    [
      `${at} su[5]: FAILED su for root by mallory`,
      { type: 'su', user: 'mallory', target: 'root', allowed: false },
    ],
    [
      `${at} su[5]: - pts/4 mallory:root`,
      { type: 'su', user: 'mallory', target: 'root', tty: 'pts/4', allowed: false },
    ],
    [
      `${at} useradd[9]: new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0`,
      {
        type: 'user_added',
        target: 'bob',
        detail: 'UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0',
      },
    ],
    [
      `${at} useradd[9]: new group: name=bob, GID=1001`,
      { type: 'group_added', target: 'bob', detail: 'GID=1001' },
    ],
    [`${at} userdel[9]: delete user 'bob'`, { type: 'user_removed', target: 'bob' }],
    [`${at} userdel[9]: removed group 'bob' owned by 'bob'`, { type: 'group_removed', target: 'bob' }],
    [`${at} groupadd[9]: new group: name=devs, GID=1002`, { type: 'group_added', target: 'devs' }],
    [`${at} groupdel[9]: group 'devs' removed`, { type: 'group_removed', target: 'devs' }],
    [
      `${at} passwd[9]: pam_unix(passwd:chauthtok): password changed for bob`,
      { type: 'password_changed', target: 'bob' },
    ],
    [
      `${at} chpasswd[9]: pam_unix(chpasswd:chauthtok): password changed for carol`,
      { type: 'password_changed', target: 'carol' },
    ],
    [`${at} usermod[9]: change user 'dave' password`, { type: 'password_changed', target: 'dave' }],
  ])('%s', (line, expected) => {
    const events = parseAuthLine(line, { now: NOW, timeZone: 'UTC' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      line: 1,
      time: '2026-11-23T10:00:00+00:00',
      host: 'web-01',
      ...expected,
    });
  });

  it.each([
    `${at} sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)`,
    `${at} groupadd[9]: group added to /etc/group: name=devs, GID=1002`,
    `${at} groupadd[9]: group added to /etc/gshadow: name=devs`,
    `${at} groupdel[9]: group 'devs' removed from /etc/group`,
    `${at} userdel[9]: removed shadow group 'bob' owned by 'bob'`,
    `${at} su[5]: pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)`,
  ])('is no event: %s', (line) => {
    expect(parseAuthLine(line, { now: NOW, timeZone: 'UTC' })).toEqual([]);
  });

  it('are told apart from sshd events by their fields', () => {
    const { events } = scanAll([
      `${at} sudo:    alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/true`,
      `${at} sshd[1]: Invalid user a from 192.0.2.1`,
    ]);
    expect(security(events).map((e) => e.type)).toEqual(['sudo']);
    expect(sshd(events).map((e) => e.event)).toEqual(['invalid_user']);
  });
});

describe('every kind of event in every format', () => {
  const wrappers: readonly (readonly [
    string,
    (message: string) => string,
    AuthLogScannerOptions['format'],
  ])[] = [
    ['classic', (m) => `Nov 23 10:00:00 web-01 sshd[812]: ${m}`, 'syslog'],
    ['RFC 3339', (m) => `2026-11-23T10:00:00.000001+00:00 web-01 sshd-session[812]: ${m}`, 'syslog'],
    ['RFC 5424', (m) => `<38>1 2026-11-23T10:00:00Z web-01 sshd-auth 812 - - ${m}`, 'syslog'],
    ['journal', (m) => journal({ SYSLOG_IDENTIFIER: 'sshd', _PID: 812, MESSAGE: m }), 'journal'],
  ];
  const events = CASES.filter((c) => c.event !== undefined);
  for (const [name, wrap, format] of wrappers) {
    it.each(events)(`${name}: $message`, (c) => {
      const [event] = parseAuthLine(wrap(c.message), { now: NOW, timeZone: 'UTC', format });
      expect(event).toMatchObject({ event: c.event, pid: 812 });
      if ('source' in c) expect((event as SshdEvent).source).toBe(c.source);
      if ('user' in c) expect((event as SshdEvent).user).toBe(c.user);
    });
  }
});
