// Runs every benchmark of the project (bench/<name>/run.mjs) on this machine, one after the
// other, and writes bench/results.md: the machine, the date, and each benchmark's printed figures
// (every benchmark prints each figure beside its peer measured in the same run). Progress goes to
// standard error. `npm run bench` runs it after scripts/ensure.mjs has installed and built what is
// needed; run alone, it builds first when a package has not been built.
//
//   node bench/run.mjs [--only name,name] [--update] [--out bench/results.md]
//
// The raw results are kept in bench/results.json beside the report. --update runs the named
// benchmarks again and regenerates the report with the others' last results, each section with
// the time and load average of its own run.
//
// Names: each directory of bench/ with a run.mjs (agent-footprint, alerter, api, auth-scan,
// envelope, ingest), and alerter-latency (bench/alerter/latency.mjs).
//
// Each benchmark keeps its own defaults (and environment knobs, see the first lines of its
// run.mjs). A benchmark that fails is reported as failed in the results with its exit code and the
// end of its standard error; the others still run, and the exit code is 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform, arch, loadavg } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    out: { type: 'string', default: join(benchDir, 'results.md') },
    update: { type: 'boolean', default: false },
  },
});
const progress = (line) => process.stderr.write(`bench: ${line}\n`);

function osName() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text)?.[1] ?? `${platform()} ${release()}`;
  } catch {
    return `${platform()} ${release()}`;
  }
}

function machine() {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return [
    `- CPU: ${model}, ${list.length} logical cores`,
    `- Memory: ${gib} GiB`,
    `- OS: ${osName()} (kernel ${release()}, ${arch()})`,
    `- Node: ${process.version}`,
    `- Load average when the run started: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ];
}

/** The first comment block of a benchmark: what it measures and against which peer. */
function description(file) {
  const lines = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(line.replace(/^\/\/ ?/, ''));
  }
  return lines.join('\n').trim();
}

function buildIfNeeded() {
  const packages = ['libs', 'services'].flatMap((top) =>
    readdirSync(join(root, top), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, top, d.name, 'tsconfig.json')))
      .map((d) => join(root, top, d.name)),
  );
  const unbuilt = packages.filter((p) => !existsSync(join(p, 'dist')));
  if (unbuilt.length === 0) return;
  progress(`building (${unbuilt.map((p) => relative(root, p)).join(', ')} not built yet)`);
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    progress(`build failed (exit ${result.status})`);
    process.exit(1);
  }
}

function runOne(name, file) {
  return new Promise((resolve) => {
    const started = Date.now();
    progress(`${name}: running ${relative(root, file)}`);
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d.toString();
      // Progress: the benchmark's own lines, prefixed, as they come.
      for (const line of d.toString().split('\n')) if (line.trim()) progress(`${name}: ${line}`);
    });
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) progress(`${name}: ${line}`);
    });
    const loadBefore = loadavg();
    child.once('exit', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      progress(
        `${name}: ${code === 0 ? 'done' : `failed (${signal ?? `exit ${code}`})`} in ${seconds.toFixed(0)} s`,
      );
      resolve({
        name,
        file: relative(root, file),
        code,
        signal,
        stdout,
        stderr: stderr.split('\n').slice(-30).join('\n'),
        seconds,
        startedAt: new Date(started).toISOString(),
        load: [loadBefore, loadavg()].map((l) => l.map((x) => x.toFixed(2)).join(' ')),
      });
    });
  });
}

// Benchmarks that a directory holds beside its run.mjs, under their own name.
const MORE = { alerter: [['alerter-latency', 'latency.mjs']] };
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : undefined;
const all = readdirSync(benchDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, 'run.mjs')))
  .map((d) => d.name)
  .sort()
  .flatMap((dir) => [
    [dir, join(benchDir, dir, 'run.mjs')],
    ...(MORE[dir] ?? []).map(([name, file]) => [name, join(benchDir, dir, file)]),
  ])
  .filter(([, file]) => existsSync(file));
const entries = all.filter(([name]) => !only || only.has(name));
const benches = entries.map(([name]) => name);
if (benches.length === 0) {
  progress(`no benchmark to run${only ? ` (--only ${args.only})` : ''}`);
  process.exit(1);
}

buildIfNeeded();
const startedAt = new Date();
const machineLines = machine();
progress(`${benches.length} benchmarks: ${benches.join(', ')}`);
// The raw results sit beside the report, so that `--update` can run some benchmarks again and
// regenerate the report with the others' last results (each section says when it ran).
const store = join(dirname(args.out), `${basename(args.out, '.md')}.json`);
const kept = args.update && existsSync(store) ? JSON.parse(readFileSync(store, 'utf8')).results : [];
const fresh = [];
for (const [name, file] of entries) fresh.push(await runOne(name, file));
const finishedAt = new Date();
const order = new Map(all.map(([name], i) => [name, i]));
const results = [...kept.filter((r) => !fresh.some((f) => f.name === r.name)), ...fresh].sort(
  (a, b) => (order.get(a.name) ?? 99) - (order.get(b.name) ?? 99) || a.name.localeCompare(b.name),
);
writeFileSync(store, `${JSON.stringify({ machine: machineLines, results }, null, 2)}\n`);

/** The lines a benchmark printed about the issue's targets: `target: <what> ... met|NOT met`. */
function targetLines(stdout) {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^target:/i.test(line))
    .map((line) => line.replace(/^target:\s*/i, ''));
}

const fence = (text) => {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}text\n${text.replace(/\s+$/, '')}\n${ticks}`;
};
const md = [
  '# Benchmark results',
  '',
  `Produced by \`npm run bench\` (\`node bench/run.mjs\`) on ${startedAt.toISOString()}; do not edit by hand.`,
  `The run took ${((finishedAt.getTime() - startedAt.getTime()) / 60_000).toFixed(1)} minutes` +
    (fresh.length < results.length
      ? ` and ran ${fresh.map((r) => r.name).join(', ')}; the other sections are from earlier runs (\`--update\`), each with its own date.`
      : '.'),
  'Each benchmark prints every figure beside its peer measured in the same run on the same machine;',
  'its output is reproduced as printed. What each measures is the comment at the top of its `run.mjs`.',
  '',
  '## Machine',
  '',
  ...machineLines,
  '',
  '## Summary',
  '',
  '| benchmark | result | ran at (UTC) | load average before / after | duration |',
  '| --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| [${r.name}](#${r.name}) | ${r.code === 0 ? 'ok' : `failed (${r.signal ?? `exit ${r.code}`})`} | ${r.startedAt} | ${r.load[0]} / ${r.load[1]} | ${r.seconds.toFixed(0)} s |`,
  ),
  '',
  '## Targets',
  '',
  "Each benchmark's own verdict on the issue's targets (its lines that start with `target:`), as printed.",
  '',
  '| benchmark | verdict |',
  '| --- | --- |',
  ...results.flatMap((r) =>
    targetLines(r.stdout).map((line) => `| [${r.name}](#${r.name}) | ${line.replaceAll('|', '\\|')} |`),
  ),
  '',
  ...results.flatMap((r) => [
    `## ${r.name}`,
    '',
    `\`node ${r.file}\` — ${r.code === 0 ? 'ok' : `**failed** (${r.signal ?? `exit ${r.code}`})`}, ran at ${r.startedAt} for ${r.seconds.toFixed(0)} s, load average ${r.load[0]} before and ${r.load[1]} after.`,
    '',
    ...(description(join(root, r.file)) ? [fence(description(join(root, r.file))), ''] : []),
    'Figures as printed:',
    '',
    fence(r.stdout || '(printed nothing)'),
    '',
    ...(r.code === 0 ? [] : ['End of its standard error:', '', fence(r.stderr || '(empty)'), '']),
  ]),
].join('\n');
writeFileSync(args.out, md);
progress(`wrote ${relative(process.cwd(), args.out) || args.out}`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
