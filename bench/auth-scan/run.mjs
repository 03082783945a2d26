// Benchmark of the sshd log scanner: `hostwatch auth-scan` (the built JS) against Debian's
// `fail2ban-regex <file> /etc/fail2ban/filter.d/sshd.conf` on the same generated auth.log, and the parser alone in
// process. Prints figures; asserts nothing. Build first: `npx tsc -b services/cli`.
// Usage: node bench/auth-scan/run.mjs [--lines N] [--style classic|rfc3339] [--fail2ban-lines N] [--keep]
import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    style: { type: 'string', default: 'classic' },
    'fail2ban-lines': { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
  },
});
const total = Number(values.lines);
const fail2banLines = Math.min(total, Number(values['fail2ban-lines']));
const style = values.style;
if (!['classic', 'rfc3339'].includes(style))
  throw new Error(`--style must be classic or rfc3339, got ${style}`);

const cli = join(root, 'services/cli/bin/hostwatch.js');
const lib = join(root, 'libs/auth-log/dist/index.js');
if (!existsSync(join(root, 'services/cli/dist/main.js')) || !existsSync(lib)) {
  throw new Error('build first: npx tsc -b services/cli');
}

// A deterministic PRNG, so every run scans the same file.
let seed = 0x2f6b3c1d;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(rand() * list.length)];
const ip = () =>
  `${1 + Math.floor(rand() * 222)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
const attackers = Array.from({ length: 2000 }, ip);
const badUsers = [
  'admin',
  'test',
  'user',
  'ubuntu',
  'oracle',
  'postgres',
  'git',
  'ftpuser',
  'guest',
  'pi',
  'support',
  'deploy',
  'hadoop',
  'minecraft',
  'steam',
  'x',
];
const staff = ['alice', 'bob', 'carol', 'deploy'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const start = Date.UTC(2026, 9, 1, 0, 0, 0);
let clock = start;
let pid = 200000;
const host = 'web-01';
const pad = (n) => String(n).padStart(2, '0');
function stamp() {
  const d = new Date(clock);
  if (style === 'rfc3339') {
    const us = String(Math.floor(rand() * 1e6)).padStart(6, '0');
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${us}+00:00`;
  }
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
const line = (tag, msg) => `${stamp()} ${host} ${tag}: ${msg}`;

// One "story" is the lines one event of a busy internet-facing host writes, in order.
function story() {
  clock += Math.floor(rand() * 1500);
  const r = rand();
  const p = ++pid;
  const sshd = `sshd[${p}]`;
  const src = pick(attackers);
  const port = 1024 + Math.floor(rand() * 64000);
  if (r < 0.34) {
    const u = pick(badUsers);
    return [
      line(sshd, `Invalid user ${u} from ${src} port ${port}`),
      line(sshd, 'pam_unix(sshd:auth): check pass; user unknown'),
      line(
        sshd,
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${src} `,
      ),
      line(sshd, `Failed password for invalid user ${u} from ${src} port ${port} ssh2`),
      line(sshd, `Received disconnect from ${src} port ${port}:11: Bye Bye [preauth]`),
      line(sshd, `Disconnected from invalid user ${u} ${src} port ${port} [preauth]`),
    ];
  }
  if (r < 0.52) {
    return [
      line(
        sshd,
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${src}  user=root`,
      ),
      line(sshd, `Failed password for root from ${src} port ${port} ssh2`),
      line(sshd, `Connection closed by authenticating user root ${src} port ${port} [preauth]`),
    ];
  }
  if (r < 0.58) {
    return [
      line(sshd, 'error: kex_exchange_identification: Connection closed by remote host'),
      line(sshd, `Connection closed by ${src} port ${port}`),
    ];
  }
  if (r < 0.61) {
    return [
      line(
        sshd,
        `Unable to negotiate with ${src} port ${port}: no matching host key type found. Their offer: ssh-rsa,ssh-dss [preauth]`,
      ),
    ];
  }
  if (r < 0.66) {
    const u = pick(staff);
    const child = ++pid;
    const office = `198.51.100.${1 + Math.floor(rand() * 50)}`;
    return [
      line(
        sshd,
        `Accepted publickey for ${u} from ${office} port ${port} ssh2: ED25519 SHA256:q6Yh1bX2mB3kz1oN0cQm7eM4x1s5u7fH3bN9v2k8JzA`,
      ),
      line(sshd, `pam_unix(sshd:session): session opened for user ${u}(uid=1000) by (uid=0)`),
      line('systemd-logind[611]', `New session ${p} of user ${u}.`),
      line(`sshd[${child}]`, `Received disconnect from ${office} port ${port}:11: disconnected by user`),
      line(`sshd[${child}]`, `Disconnected from user ${u} ${office} port ${port}`),
      line(sshd, `pam_unix(sshd:session): session closed for user ${u}`),
      line('systemd-logind[611]', `Session ${p} logged out. Waiting for processes to exit.`),
      line('systemd-logind[611]', `Removed session ${p}.`),
    ];
  }
  if (r < 0.9) {
    return [
      line(`CRON[${p}]`, 'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)'),
      line(`CRON[${p}]`, 'pam_unix(cron:session): session closed for user root'),
    ];
  }
  if (r < 0.96) {
    const u = pick(staff);
    return [
      line(
        'sudo',
        `    ${u} : TTY=pts/0 ; PWD=/home/${u} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx`,
      ),
      line('sudo', `pam_unix(sudo:session): session opened for user root(uid=0) by ${u}(uid=1000)`),
      line('sudo', 'pam_unix(sudo:session): session closed for user root'),
    ];
  }
  return [
    line(
      `systemd[${1000 + Math.floor(rand() * 50)}]`,
      'pam_unix(systemd-user:session): session opened for user alice(uid=1000) by (uid=0)',
    ),
    line(
      'polkitd[702]',
      'Registered Authentication Agent for unix-process:1234:5678 (system bus name :1.42 [/usr/bin/pkttyagent --notify-fd 5 --fallback], object path /org/freedesktop/PolicyKit1/AuthenticationAgent, locale C.UTF-8)',
    ),
  ];
}

async function generate(path, count) {
  const out = createWriteStream(path);
  let written = 0;
  let buffer = '';
  while (written < count) {
    for (const l of story()) {
      if (written >= count) break;
      buffer += `${l}\n`;
      written++;
    }
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((r) => out.once('drain', r));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise((r) => out.once('finish', r));
}

function head(path, count) {
  const text = readFileSync(path, 'utf8');
  let at = 0;
  for (let i = 0; i < count; i++) at = text.indexOf('\n', at) + 1;
  return text.slice(0, at);
}

// Wall-clock seconds and, through GNU time when present, CPU seconds (user + system) of one run of a command.
const gnuTime = existsSync('/usr/bin/time');
function timed(cmd, args, options = {}) {
  const devnull = openSync('/dev/null', 'w');
  const t0 = performance.now();
  const stdout = options.capture ? 'pipe' : (options.stdout ?? devnull);
  const argv = gnuTime ? ['/usr/bin/time', ['-f', 'HWTIME %U %S', cmd, ...args]] : [cmd, args];
  const r = spawnSync(argv[0], argv[1], {
    stdio: ['ignore', stdout, 'pipe'],
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - t0) / 1000;
  closeSync(devnull);
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-2000)}`);
  const stderr = String(r.stderr);
  const cpu = /HWTIME ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  return {
    seconds,
    cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN,
    stdout: String(r.stdout ?? ''),
    stderr: cpu ? stderr.slice(0, cpu.index) : stderr,
  };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const dir = mkdtempSync(join(tmpdir(), 'hostwatch-bench-auth-scan-'));
try {
  const file = join(dir, 'auth.log');
  await generate(file, total);
  const now = new Date(clock + 3_600_000).toISOString();
  console.log(`input: ${fmt(total)} lines (${style}), ${(statSync(file).size / 1e6).toFixed(1)} MB, ${file}`);
  const os = await import('node:os');
  console.log(
    `machine: ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  // Each figure is the best of 3, by wall clock and by CPU time (user + system): on a busy machine the second is the
  // truer measure of the work done, the first is what a user waits.
  const best3 = (run) => {
    const runs = [0, 1, 2].map(run);
    return { seconds: Math.min(...runs.map((r) => r.seconds)), cpu: Math.min(...runs.map((r) => r.cpu)) };
  };
  const rates = (lines, t) =>
    `${fmt(lines / t.seconds)} lines/s by wall clock (${t.seconds.toFixed(2)} s), ${Number.isNaN(t.cpu) ? 'CPU time n/a' : `${fmt(lines / t.cpu)} lines/s by CPU time (${t.cpu.toFixed(2)} s)`}`;

  // 1. The CLI, end to end: start node, read the file, parse, write NDJSON to /dev/null.
  const cliTime = best3(() => timed(process.execPath, [cli, 'auth-scan', file, '--now', now]));
  const outFile = join(dir, 'out.ndjson');
  const outFd = openSync(outFile, 'w');
  timed(process.execPath, [cli, 'auth-scan', file, '--now', now], { stdout: outFd });
  closeSync(outFd);
  const events = readFileSync(outFile, 'utf8').split('\n').length - 1;
  // The fixed cost of the command: the same command on an empty file (start node, load auth-scan and the parser).
  const empty = join(dir, 'empty.log');
  writeFileSync(empty, '');
  const startup = best3(() => timed(process.execPath, [cli, 'auth-scan', empty, '--now', now]));
  const scanOnly = { seconds: cliTime.seconds - startup.seconds, cpu: cliTime.cpu - startup.cpu };
  console.log(`hostwatch auth-scan, end to end: ${rates(total, cliTime)}; ${fmt(events)} events`);
  console.log(
    `  start-up of the command alone (\`hostwatch auth-scan\` on an empty file): ${startup.seconds.toFixed(2)} s wall, ${startup.cpu.toFixed(2)} s CPU`,
  );
  if (scanOnly.seconds > 0 && scanOnly.cpu > 0)
    console.log(`  auth-scan without that start-up: ${rates(total, scanOnly)}`);

  // 2. The parser alone, in process: the file already in memory, cut into 1 MiB pieces and lines as auth-scan does
  // (each line passed by its bounds in the piece, not copied), one AuthLogScanner; no output.
  const { AuthLogScanner } = await import(lib);
  const bytes = readFileSync(file);
  let found = 0;
  let lineCount = 0;
  const parserTime = best3(() => {
    const scanner = new AuthLogScanner({ now: Date.parse(now) });
    found = 0;
    lineCount = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let off = 0; off < bytes.length;) {
      let end = Math.min(bytes.length, off + (1 << 20));
      if (end < bytes.length) end = bytes.lastIndexOf(10, end - 1) + 1;
      const text = bytes.toString(isAscii(bytes.subarray(off, end)) ? 'latin1' : 'utf8', off, end);
      off = end;
      let start = 0;
      let nl = text.indexOf('\n');
      while (nl >= 0) {
        if (scanner.scan(text, ++lineCount, start, nl) !== undefined) found++;
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
    }
    const c = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  });
  console.log(
    `parser alone, in process (AuthLogScanner.scan): ${rates(lineCount, parserTime)}; ${fmt(found)} events (sshd and security)`,
  );

  // The issue's targets (3): at least 1,500,000 lines/s and at least 50x fail2ban-regex, by wall clock
  // as the issue measured them; CPU time is printed beside for a shared machine.
  const wall = lineCount / parserTime.seconds;
  console.log(
    `target: scan rate >= 1,500,000 lines/s (parser, wall clock): ${fmt(Math.round(wall))} lines/s ` +
      `(${fmt(Math.round(lineCount / parserTime.cpu))} per CPU-second): ${wall >= 1_500_000 ? 'met' : 'NOT met'}`,
  );

  // 3. fail2ban-regex with Debian's sshd filter, on a prefix when it is slow.
  const filter = '/etc/fail2ban/filter.d/sshd.conf';
  const which = spawnSync('sh', ['-c', 'command -v fail2ban-regex'], { encoding: 'utf8' });
  if (which.status !== 0 || !existsSync(filter)) {
    // Without its peer the run has not measured what it is for: it fails, so that bench/run.mjs
    // records a failure instead of a report without the comparison.
    console.log('target: >= 50x fail2ban-regex (parser, wall clock): no peer measured: NOT met');
    console.error(
      `fail2ban-regex or ${filter} is missing: \`npm run bench\` installs it (node scripts/ensure.mjs bench), or apt-get install fail2ban`,
    );
    process.exitCode = 1;
  } else {
    let target = file;
    if (fail2banLines < total) {
      target = join(dir, `auth-${fail2banLines}.log`);
      writeFileSync(target, head(file, fail2banLines));
    }
    const f2b = timed('fail2ban-regex', [target, filter], { capture: true });
    const matched = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(f2b.stdout) ?? [];
    const prefix = fail2banLines < total;
    console.log(
      `fail2ban-regex ${filter}, on ${prefix ? `the first ${fmt(fail2banLines)} lines only (on all ${fmt(total)} it is too slow to wait for)` : `all ${fmt(total)} lines`}: ${rates(fail2banLines, f2b)}${matched[1] ? `; ${fmt(Number(matched[1]))} matched` : ''}`,
    );
    const ratio = (lines, t) =>
      `${(lines / t.seconds / (fail2banLines / f2b.seconds)).toFixed(1)}x by wall clock, ${(lines / t.cpu / (fail2banLines / f2b.cpu)).toFixed(1)}x by CPU time`;
    console.log(`ratio to fail2ban-regex (lines/s): hostwatch auth-scan end to end ${ratio(total, cliTime)}`);
    if (scanOnly.seconds > 0 && scanOnly.cpu > 0)
      console.log(`  auth-scan without the CLI start-up ${ratio(total, scanOnly)}`);
    console.log(`  the parser alone ${ratio(lineCount, parserTime)}`);
    const x = wall / (fail2banLines / f2b.seconds);
    console.log(
      `target: >= 50x fail2ban-regex (parser, wall clock): ${x.toFixed(1)}x ` +
        `(${(lineCount / parserTime.cpu / (fail2banLines / f2b.cpu)).toFixed(1)}x by CPU time): ${x >= 50 ? 'met' : 'NOT met'}`,
    );
  }
} finally {
  if (values.keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
