import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The contract of `hostwatch auth-scan` (../shared/design.md), checked on the built command as users run it.
const BIN = fileURLToPath(new URL('../../../services/cli/bin/hostwatch.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('fixtures/real-classic.log', import.meta.url));
const FIELDS = ['line', 'time', 'host', 'pid', 'event', 'source', 'user', 'port', 'method', 'count'];
const dir = mkdtempSync(join(tmpdir(), 'hostwatch-auth-scan-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(
  args: string[],
  input?: string | Buffer,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'auth-scan', ...args], {
    input,
    env: { ...process.env, TZ: 'UTC' },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('hostwatch auth-scan', () => {
  it('prints one JSON object per sshd event, with the contract fields in order', () => {
    const r = run([FIXTURE, '--now', '2026-11-24T00:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('not recognised');
    const events = ndjson(r.stdout);
    expect(events).toHaveLength(38);
    expect(events[0]).toEqual({
      line: 2,
      time: '2026-11-23T19:08:42+00:00',
      host: 'vm',
      pid: 16779,
      event: 'connection',
      source: '127.0.0.1',
      port: 55284,
      count: 1,
    });
    for (const e of events) {
      const keys = Object.keys(e);
      expect(keys.filter((k) => !FIELDS.includes(k))).toEqual([]);
      expect(keys).toEqual(FIELDS.filter((k) => keys.includes(k)));
    }
    expect(events.find((e) => e.event === 'accepted')).toMatchObject({
      line: 37,
      user: 'hwfixture',
      method: 'password',
    });
  });

  it('reads standard input for - and for no FILE', () => {
    const input = readFileSync(FIXTURE);
    const fromFile = run([FIXTURE, '--now', '2026-11-24T00:00:00Z']).stdout;
    expect(run(['-', '--now', '2026-11-24T00:00:00Z'], input).stdout).toBe(fromFile);
    expect(run(['--now', '2026-11-24T00:00:00Z'], input).stdout).toBe(fromFile);
  });

  it('takes the year from --now, in the zone of TZ', () => {
    const line = 'Dec 31 23:00:00 web-01 sshd[1]: Invalid user a from 192.0.2.1 port 5\n';
    expect(ndjson(run(['--now', '2027-01-02T00:00:00Z'], line).stdout)[0]?.time).toBe(
      '2026-12-31T23:00:00+00:00',
    );
    const zurich = spawnSync(process.execPath, [BIN, 'auth-scan', '--now', '2027-01-02T00:00:00Z'], {
      input: line,
      env: { ...process.env, TZ: 'Europe/Zurich' },
      encoding: 'utf8',
    });
    expect(ndjson(zurich.stdout)[0]?.time).toBe('2026-12-31T23:00:00+01:00');
  });

  it('reads journalctl -o json records with --format journal', () => {
    const record = JSON.stringify({
      __REALTIME_TIMESTAMP: '1763892000000000',
      _HOSTNAME: 'db-01',
      SYSLOG_IDENTIFIER: 'sshd-session',
      _PID: '44',
      MESSAGE: 'Failed password for root from 203.0.113.7 port 9 ssh2',
    });
    const r = run(['--format', 'journal'], `${record}\n`);
    expect(ndjson(r.stdout)).toEqual([
      {
        line: 1,
        time: '2025-11-23T10:00:00.000000+00:00',
        host: 'db-01',
        pid: 44,
        event: 'failed',
        source: '203.0.113.7',
        user: 'root',
        port: 9,
        method: 'password',
        count: 1,
      },
    ]);
  });

  it('handles CRLF, a last line without newline, and UTF-8 split across read chunks', () => {
    const target = 'Nov 23 10:00:00 web-01 sshd[1]: Invalid user jürgen from 192.0.2.1 port 1';
    const umlaut = Buffer.byteLength(target.slice(0, target.indexOf('ü')));
    const chunk = 1 << 20;
    // Filler so that the two bytes of `ü` fall on both sides of the first 1 MiB read.
    const lines: string[] = [];
    let size = 0;
    const noise = (n: number): string => `Nov 23 10:00:00 web-01 CRON[2]: ${'x'.repeat(n)}\n`;
    while (chunk - 1 - umlaut - size > 200) {
      lines.push(noise(100));
      size += Buffer.byteLength(noise(100));
    }
    const last = chunk - 1 - umlaut - size - Buffer.byteLength(noise(0));
    lines.push(noise(last));
    const file = join(dir, 'split.log');
    writeFileSync(file, `${lines.join('')}${target}\r\n${target}`);
    expect(
      readFileSync(file)
        .subarray(chunk - 1, chunk + 1)
        .toString('utf8'),
    ).toBe('ü');
    const events = ndjson(run([file, '--now', '2026-11-24T00:00:00Z']).stdout);
    expect(events.map((e) => [e.line, e.user, e.source])).toEqual([
      [lines.length + 1, 'jürgen', '192.0.2.1'],
      [lines.length + 2, 'jürgen', '192.0.2.1'],
    ]);
  });

  it('reports sshd lines it does not recognise on stderr, and still succeeds', () => {
    const r = run(
      ['--now', '2026-11-24T00:00:00Z'],
      'Nov 23 10:00:00 web-01 sshd[1]: A message from the future\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('1 of 1 sshd lines not recognised');
    expect(r.stderr).toContain('line 1: Nov 23 10:00:00 web-01 sshd[1]: A message from the future');
  });

  it('stops quietly when its reader goes away (| head)', () => {
    const file = join(dir, 'long.log');
    writeFileSync(file, readFileSync(FIXTURE, 'utf8').repeat(200));
    const r = spawnSync(
      'bash',
      [
        '-c',
        'set -o pipefail; "$0" "$1" auth-scan "$2" --now 2026-11-24T00:00:00Z | head -n 1 >/dev/null',
        process.execPath,
        BIN,
        file,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('explains a missing file: the path and what to do', () => {
    const missing = join(dir, 'no-such-auth.log');
    const r = run([missing]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`cannot read ${missing}: no such file`);
    expect(r.stderr).toContain('/var/log/auth.log');
    expect(r.stderr).toContain('- to read standard input');
  });

  it('explains a directory given as FILE', () => {
    const r = run([dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read ${dir}: it is a directory`);
  });

  it.each([
    [['--now', 'yesterday'], "--now must be an ISO-8601 time such as 2025-05-20T10:00:00Z, got 'yesterday'"],
    [['--now', '2026-13-45T99:00:00Z'], '--now must be an ISO-8601 time'],
    [['--format', 'xml'], "--format must be one of auto, syslog, journal, got 'xml'"],
    [['--format', 'xml', '--now', 'x'], '--format must be one of auto, syslog, journal'],
    [['a.log', 'b.log'], 'expected at most one FILE, got 2'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
  ])('rejects bad usage %j with its reason and the usage', (args, reason) => {
    const r = run(args, '');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(reason);
    expect(r.stderr).toContain('Usage: hostwatch auth-scan [FILE|-]');
  });

  it('lists every problem at once', () => {
    const r = run(['--format', 'xml', '--now', 'x'], '');
    expect(r.stderr).toContain(
      "--format must be one of auto, syslog, journal, got 'xml'; --now must be an ISO-8601 time",
    );
  });
});
