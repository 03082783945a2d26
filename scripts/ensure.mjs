#!/usr/bin/env node
// Installs what `npm start`, `npm test` and `npm run bench` need and is missing: npm dependencies,
// the build, nats-server >= 2.10, PostgreSQL, and the Debian tools the tests drive. Plain Node, no
// dependencies, because it runs before `npm install` has. Idempotent: a second run only checks.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const state = join(root, '.hostwatch');
const mode = process.argv[2] ?? 'start';
const MIN_NATS = [2, 10, 0];
const MIN_NODE = [20, 19, 0];

/** Debian packages the tests drive, by the command that shows they are there. */
const TEST_PACKAGES = [
  { command: '/usr/sbin/sshd', pkg: 'openssh-server' },
  { command: 'sshpass', pkg: 'sshpass' },
  { command: 'rsyslogd', pkg: 'rsyslog' },
  { command: 'logrotate', pkg: 'logrotate' },
  { command: 'chromium', pkg: 'chromium' },
  { command: 'openssl', pkg: 'openssl' },
  // kubectl >= 1.27 (kustomize 5): the package of the Kubernetes apt repository, on this machine image already.
  { command: 'kubectl', pkg: 'kubectl' },
];

// The peers the benchmarks measure against (bench/auth-scan, bench/agent-footprint).
const BENCH_PACKAGES = [
  { command: 'fail2ban-regex', pkg: 'fail2ban' },
  { command: '/usr/bin/prometheus-node-exporter', pkg: 'prometheus-node-exporter' },
];

function say(message) {
  process.stderr.write(`hostwatch: ${message}\n`);
}

function fail(message) {
  say(`error: ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) fail(`${cmd} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result;
}

function capture(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...options });
  return result.error || result.status !== 0 ? undefined : result.stdout;
}

function which(cmd) {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

function parseVersion(text) {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(version, min) {
  for (let i = 0; i < 3; i++) {
    if (version[i] !== min[i]) return version[i] > min[i];
  }
  return true;
}

const isRoot = process.getuid?.() === 0;
let aptUpdated = false;

function aptInstall(packages, why) {
  if (!which('apt-get')) fail(`${why}: install ${packages.join(' ')} with your package manager, then run again`);
  if (!isRoot) fail(`${why}: run 'sudo apt-get install -y ${packages.join(' ')}', then run again`);
  say(`installing ${packages.join(' ')} from Debian's packages (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
}

function checkNode() {
  const version = parseVersion(process.versions.node);
  if (!version || !atLeast(version, MIN_NODE)) {
    fail(`Node ${MIN_NODE.join('.')} or newer is required; this is ${process.versions.node}`);
  }
}

function dependencyStamp() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) {
    if (existsSync(join(root, file))) hash.update(readFileSync(join(root, file)));
  }
  for (const group of ['libs', 'services']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const manifest = join(root, group, name, 'package.json');
      if (existsSync(manifest)) hash.update(readFileSync(manifest));
    }
  }
  return hash.digest('hex');
}

function ensureDependencies() {
  const stampFile = join(root, 'node_modules', '.hostwatch-deps');
  const stamp = dependencyStamp();
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  // `npm install`, not `npm ci`: it installs exactly what the lock file pins for this platform, and
  // where the lock file lacks another platform's optional package it adds the entry where `npm ci`
  // refuses the file (turbo's macOS and Windows builds were missing until 2026-11-24, when the
  // registry reachable here began to serve them).
  say('installing npm dependencies (npm install)');
  run('npm', ['install', '--no-fund', '--no-audit']);
  writeFileSync(stampFile, stamp);
}

function build() {
  say('building (turbo run build)');
  run(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--output-logs=errors-only', '--log-prefix=none'], {
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
}

function natsVersion(binary) {
  return parseVersion(capture(binary, ['--version']));
}

/** The machine's own Debian mirror addresses, read from its apt sources (deb822 and one-line). */
function debianMirrors() {
  const mirrors = new Set();
  const files = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d')) {
      if (f.endsWith('.sources') || f.endsWith('.list')) files.push(join('/etc/apt/sources.list.d', f));
    }
  }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const stanza of text.split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(.+)$/m.exec(stanza);
      const suites = /^Suites:\s*(.+)$/m.exec(stanza);
      if (uris && suites && /\b(bookworm|trixie|sid|bullseye|forky)\b(?!-security)/.test(suites[1])) {
        for (const uri of uris[1].trim().split(/\s+/)) if (!uri.includes('security')) mirrors.add(uri.replace(/\/$/, ''));
      }
    }
    for (const line of text.split('\n')) {
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(bookworm|trixie|sid|bullseye|forky)\s/.exec(line.trim());
      if (m && !m[1].includes('security')) mirrors.add(m[1].replace(/\/$/, ''));
    }
  }
  return [...mirrors];
}

/** Fetches nats-server from a newer Debian suite through the machine's own mirror, into .hostwatch/bin. */
function natsFromNewerSuite(target) {
  const mirrors = debianMirrors();
  if (mirrors.length === 0) return false;
  const keyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  for (const suite of ['trixie', 'sid']) {
    const work = mkdtempSync(join(tmpdir(), 'hostwatch-apt-'));
    try {
      mkdirSync(join(work, 'lists', 'partial'), { recursive: true });
      mkdirSync(join(work, 'archives', 'partial'), { recursive: true });
      mkdirSync(join(work, 'sources'));
      const signed = existsSync(keyring) ? `Signed-By: ${keyring}\n` : '';
      writeFileSync(
        join(work, 'sources', `${suite}.sources`),
        `Types: deb\nURIs: ${mirrors.join(' ')}\nSuites: ${suite}\nComponents: main\n${signed}`,
      );
      const opts = [
        '-o', 'Dir::Etc::SourceList=/dev/null',
        '-o', `Dir::Etc::SourceParts=${join(work, 'sources')}`,
        '-o', `Dir::State::Lists=${join(work, 'lists')}`,
        '-o', `Dir::Cache::Archives=${join(work, 'archives')}`,
        '-o', 'Dir::State::Status=/dev/null',
        '-o', 'APT::Sandbox::User=root',
        '-o', 'Debug::NoLocking=1',
      ];
      say(`fetching nats-server from Debian ${suite} (this machine's suite ships a version older than ${MIN_NATS.join('.')})`);
      if (capture('apt-get', [...opts, '-qq', 'update']) === undefined) continue;
      if (capture('apt-get', [...opts, '-qq', 'download', 'nats-server'], { cwd: work }) === undefined) continue;
      const deb = readdirSync(work).find((f) => f.startsWith('nats-server_') && f.endsWith('.deb'));
      if (!deb) continue;
      if (capture('dpkg-deb', ['-x', join(work, deb), join(work, 'x')]) === undefined) continue;
      const binary = ['usr/sbin/nats-server', 'usr/bin/nats-server'].map((p) => join(work, 'x', p)).find(existsSync);
      if (!binary) continue;
      const version = natsVersion(binary);
      if (!version || !atLeast(version, MIN_NATS)) continue;
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(binary, target);
      chmodSync(target, 0o755);
      return true;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return false;
}

function ensureNatsServer() {
  const local = join(state, 'bin', 'nats-server');
  const candidates = [process.env.NATS_SERVER_BIN, local, which('nats-server')].filter(Boolean);
  for (const candidate of candidates) {
    const version = natsVersion(candidate);
    if (version && atLeast(version, MIN_NATS)) return candidate;
  }
  if (which('apt-get') && isRoot) {
    const policy = capture('apt-cache', ['policy', 'nats-server']) ?? '';
    const candidate = parseVersion(/Candidate:\s*(\S+)/.exec(policy)?.[1]);
    if (candidate && atLeast(candidate, MIN_NATS)) {
      aptInstall(['nats-server'], `nats-server >= ${MIN_NATS.join('.')} is needed`);
      const installed = which('nats-server');
      if (installed) return installed;
    }
    if (natsFromNewerSuite(local)) return local;
  }
  fail(
    `nats-server >= ${MIN_NATS.join('.')} is needed and could not be installed; put one on PATH or set NATS_SERVER_BIN`,
  );
}

function postgresBin() {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const fromConfig = capture('pg_config', ['--bindir'])?.trim();
  if (fromConfig && existsSync(join(fromConfig, 'initdb'))) return fromConfig;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  return undefined;
}

function ensurePostgres() {
  let bin = postgresBin();
  if (!bin) {
    aptInstall(['postgresql'], 'PostgreSQL is needed (or set DATABASE_URL to use your own)');
    bin = postgresBin();
  }
  if (!bin) fail('PostgreSQL was installed but initdb was not found; set PG_BIN to the directory holding initdb');
  return bin;
}

function ensureTools(packages, why) {
  const missing = packages.filter(({ command }) => !which(command)).map(({ pkg }) => pkg);
  if (missing.length > 0) aptInstall(missing, why);
}

function writeTools(tools) {
  mkdirSync(state, { recursive: true });
  const file = join(state, 'tools.json');
  const text = `${JSON.stringify(tools, null, 2)}\n`;
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
}

checkNode();
ensureDependencies();
build();
if (mode === 'start' || mode === 'test' || mode === 'bench') {
  const natsServer = ensureNatsServer();
  const needPostgres = mode !== 'start' || !process.env.DATABASE_URL;
  const pgBin = needPostgres ? ensurePostgres() : undefined;
  if (mode === 'test') ensureTools(TEST_PACKAGES, 'the tests drive these real programs');
  if (mode === 'bench') ensureTools(BENCH_PACKAGES, 'the benchmarks measure against these peers');
  writeTools({ natsServer, pgBin });
}
