import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuthLogScanner, SyslogClock, SyslogLineReader, parseSyslogLine, type AuthEvent } from '../src/index.js';
import { CASES } from './sshd-cases.js';

// A reader of a large chunk passes each line's bounds instead of cutting the line out. Whatever the chunk holds
// around those bounds, the result must be the one of the line alone.

const NOW = Date.parse('2026-11-24T00:00:00Z');
const options = { now: NOW, timeZone: 'UTC' } as const;

const fixture = (name: string): string[] =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8').split('\n');

function journal(message: string): string {
  return JSON.stringify({
    __REALTIME_TIMESTAMP: '1763892000123456',
    _HOSTNAME: 'db-01',
    SYSLOG_IDENTIFIER: 'sshd',
    _PID: '812',
    MESSAGE: message,
  });
}

// Every event message of the vocabulary in every header the reader knows, and lines of other programs.
const WRAPPED: readonly string[] = CASES.flatMap((c) => [
  `Nov 23 10:00:00 web-01 sshd[812]: ${c.message}`,
  `Nov  3 10:00:00 sshd[812]: ${c.message}`,
  `<38>Nov 23 10:00:00 web-01 sshd[812]: ${c.message}`,
  `2026-11-23T10:00:00.000001+00:00 web-01 sshd-session[812]: ${c.message}`,
  `<38>1 2026-11-23T10:00:00Z web-01 sshd-auth 812 - - ${c.message}`,
  journal(c.message),
]).concat([
  'Nov 23 10:00:01 web-01 CRON[9]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
  'Nov 23 10:00:01 web-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id',
  'Nov 23 10:00:01 [sshd] Invalid user d from 192.0.2.4',
  'Nov 23 10:00:01 web-01 sshd: Invalid user b from 192.0.2.2',
]);

function alone(lines: readonly string[]): { events: (AuthEvent | undefined)[]; scanner: AuthLogScanner } {
  const scanner = new AuthLogScanner(options);
  return { events: lines.map((line, i) => scanner.scan(line, i + 1)), scanner };
}

function inChunk(
  lines: readonly string[],
  separator: string,
): { events: (AuthEvent | undefined)[]; scanner: AuthLogScanner } {
  const scanner = new AuthLogScanner(options);
  const chunk = lines.join(separator);
  const events: (AuthEvent | undefined)[] = [];
  let start = 0;
  lines.forEach((line, i) => {
    events.push(scanner.scan(chunk, i + 1, start, start + line.length));
    start += line.length + separator.length;
  });
  return { events, scanner };
}

describe('a line read in place, by its bounds in a larger text', () => {
  it.each([
    ['real-classic.log', fixture('real-classic.log')],
    ['real-rfc3339.log', fixture('real-rfc3339.log')],
    ['real-rfc5424.log', fixture('real-rfc5424.log')],
    ['every event in every header', WRAPPED],
  ])('%s: the same events, counts and samples as line by line', (_name, lines) => {
    const expected = alone(lines);
    expect(expected.events.filter((e) => e !== undefined).length).toBeGreaterThan(10);
    for (const separator of ['\n', '\r\n', ' x ']) {
      const actual = inChunk(lines, separator);
      expect(actual.events).toEqual(expected.events);
      expect(actual.scanner.unparsed).toBe(expected.scanner.unparsed);
      expect(actual.scanner.unparsedSamples).toEqual(expected.scanner.unparsedSamples);
      expect(actual.scanner.sshdLines).toBe(expected.scanner.sshdLines);
    }
  });

  it('never reads past the end it is given: every cut of a line reads as that cut alone', () => {
    const lines = WRAPPED.filter((_, i) => i % 7 === 0);
    let compared = 0;
    for (const line of lines) {
      const before = 'Nov 23 10:00:00 web-01 sshd[7]: Invalid user zz from 198.51.100.9 port 1\n';
      const text = before + line;
      for (let cut = 0; cut <= line.length; cut++) {
        const expected = new AuthLogScanner(options).scan(line.slice(0, cut), 1);
        const actual = new AuthLogScanner(options).scan(text, 1, before.length, before.length + cut);
        expect(actual, `${line.slice(0, cut)}|`).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('the syslog reader turns down a line of another program, and reads a wanted one, in place', () => {
    const reader = new SyslogLineReader(new SyslogClock(options), new Set(['sshd']));
    const text =
      'Nov 23 10:00:01 web-01 CRON[9]: pam_unix(cron:session): session closed for user root\n' +
      'Nov 23 10:00:02 web-02 sshd[10]: Connection closed by 192.0.2.1 port 22\n';
    const second = text.indexOf('\n') + 1;
    expect(reader.next(text, 0, second - 1)).toBe(false);
    expect(reader.next(text, second, text.length - 1)).toBe(true);
    expect([reader.host, reader.program, reader.pid, reader.message, reader.time]).toEqual([
      'web-02',
      'sshd',
      10,
      'Connection closed by 192.0.2.1 port 22',
      '2026-11-23T10:00:02+00:00',
    ]);
  });
});

describe('the reader of many lines', () => {
  // After a line of a host, the reader reads the next line of that host with a few startsWith calls instead of its
  // general walk over the header; a reader used for one line only always takes the general walk.
  const programs = new Set(['sshd', 'sshd-session', 'sshd-auth', 'sudo', 'su', 'useradd', 'x]']);
  const TRICKY: readonly string[] = [
    'web-01 sshd[812]: Invalid user a from 192.0.2.1',
    'web-01 sshd[]: Invalid user a from 192.0.2.1',
    'web-01 sshd[12345678901]: Invalid user a from 192.0.2.1',
    'web-01 sshd[1234567890]: Invalid user a from 192.0.2.1',
    'web-01 sshd[81x]: Invalid user a from 192.0.2.1',
    'web-01 sshd[812] Invalid user a from 192.0.2.1',
    'web-01 sshd[812]:Invalid user a from 192.0.2.1',
    'web-01 sshd[812]:',
    'web-01 sshd[812]: ',
    'web-01 sshd[812',
    'web-01 sshd:',
    'web-01 sshd: Invalid user a from 192.0.2.1',
    'web-01 sshd:x',
    'web-01 sshdx[1]: Invalid user a from 192.0.2.1',
    'web-01 sshd-session[9]: Connection closed by 192.0.2.1 port 22',
    'web-01 sshd-sessio[9]: Connection closed by 192.0.2.1 port 22',
    'web-01 sshd-auth: Connection closed by 192.0.2.1 port 22',
    'web-01 su: pam_unix(su:session): session opened for user root',
    'web-01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id',
    'web-01 sus: x',
    'web-01 x]: x',
    'web-01 x][1]: x',
    'web-01  sshd[1]: two spaces',
    'web-01 [sshd] Invalid user d from 192.0.2.4',
    'web-01 [sshd]: Invalid user d from 192.0.2.4',
    'web-01 CRON[9]: pam_unix(cron:session): session closed for user root',
    'web-01 sshd[1]: Invalid user web-01 sshd[2]: from 192.0.2.1',
    'web-01x sshd[1]: Invalid user a from 192.0.2.1',
    'web-0 sshd[1]: Invalid user a from 192.0.2.1',
    'web-01',
    'web-01 ',
    'web-01: sshd[1]: x',
    'sshd[812]: Invalid user a from 192.0.2.1',
    'web-01 sshd[1]: message with ünïcode from 192.0.2.1',
  ];
  const lines = [
    ...['real-classic.log', 'real-rfc3339.log', 'real-rfc5424.log'].flatMap(fixture),
    ...WRAPPED,
    ...TRICKY.flatMap((rest) => [
      `Nov 23 10:00:00 web-01 sshd[7]: Accepted password for a from 192.0.2.9 port 1 ssh2`,
      `Nov 23 10:00:00 ${rest}`,
      `2026-11-23T10:00:00.000001+00:00 ${rest}`,
    ]),
  ];

  it('reads each line exactly as a reader of that line alone does', () => {
    const clock = new SyslogClock(options);
    const reader = new SyslogLineReader(clock, programs);
    let read = 0;
    for (const line of lines) {
      if (line.startsWith('{')) continue;
      const alone = parseSyslogLine(line, clock, programs);
      const ok = reader.next(line);
      expect(ok, line).toBe(alone !== undefined);
      if (!ok || alone === undefined) continue;
      expect({ time: reader.time, host: reader.host, program: reader.program, pid: reader.pid, message: reader.message }, line).toEqual(alone);
      read++;
    }
    expect(read).toBeGreaterThan(100);
  });
});
