// Where the time of a traced bench/api run went, per measurement: node bench/api/trace-report.mjs DIR
// (DIR as given to BENCH_TRACE). For each measurement: the client's latencies, the server's own
// time per series request (onRequest to onResponse), its statements (series batches and their
// sizes, fleet snapshot reads, others), garbage collections of both processes, the server's event
// loop gaps, and for the measurements offered in bursts, each second's burst: its slowest request
// and what happened in the server while it was served.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: node bench/api/trace-report.mjs DIR');
const client = JSON.parse(readFileSync(join(dir, 'client.json'), 'utf8'));
const server = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8'));
const requests = [];
for (let i = 0; i < server.requests.length; i += 4) requests.push(server.requests.slice(i, i + 4));

const pct = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const f = (x) => x.toFixed(1);
const max = (values) => values.reduce((m, x) => Math.max(m, x), 0);
const within = (list, a, b, at = (x) => x[0]) => list.filter((x) => at(x) >= a && at(x) < b);
const gcSummary = (gcs) => {
  const kinds = {
    1: 'scavenge',
    2: 'minor mark-compact',
    4: 'mark-compact',
    8: 'incremental marking',
    16: 'weak callbacks',
  };
  const by = new Map();
  for (const [, ms, kind] of gcs) {
    const k = kinds[kind] ?? `kind ${kind}`;
    const s = by.get(k) ?? { n: 0, total: 0, max: 0 };
    by.set(k, { n: s.n + 1, total: s.total + ms, max: Math.max(s.max, ms) });
  }
  return [...by].map(([k, s]) => `${s.n} ${k} (${f(s.total)} ms, longest ${f(s.max)})`).join(', ') || 'none';
};
const statementSummary = (statements) => {
  const series = statements.filter((s) => s[2] === 'series');
  const durations = series.map((s) => s[1] - s[0]);
  const others = statements.filter((s) => s[2] !== 'series');
  return (
    `${series.length} series statements (requests per statement: mean ${f(series.reduce((n, s) => n + s[3], 0) / Math.max(1, series.length))}, ` +
    `most ${max(series.map((s) => s[3]))}; ms from send to rows read: p50 ${f(pct(durations, 0.5))}, p99 ${f(pct(durations, 0.99))}), ` +
    [...new Set(others.map((s) => s[2]))]
      .map((kind) => {
        const ms = others.filter((s) => s[2] === kind).map((s) => s[1] - s[0]);
        return `${ms.length} ${kind} (longest ${f(max(ms))} ms)`;
      })
      .join(', ')
  );
};

for (const m of client.measurements) {
  const ends = client.ends.slice(m.first, m.last);
  const latencies = client.latencies.slice(m.first, m.last);
  const served = within(requests, m.start, m.end).map((r) => r[3] - r[0]);
  const gaps = within(server.gaps, m.start, m.end);
  console.log(`\n${m.title}: ${latencies.length} responses`);
  console.log(
    `  client latency ms: p50 ${f(pct(latencies, 0.5))}, p99 ${f(pct(latencies, 0.99))}, max ${f(max(latencies))}`,
  );
  if (served.length > 0)
    console.log(
      `  server onRequest to onResponse ms: p50 ${f(pct(served, 0.5))}, p99 ${f(pct(served, 0.99))}, max ${f(max(served))}`,
    );
  console.log(`  ${statementSummary(within(server.statements, m.start, m.end))}`);
  console.log(`  server GC: ${gcSummary(within(server.gcs, m.start, m.end))}`);
  console.log(`  client GC: ${gcSummary(within(client.gcs, m.start, m.end))}`);
  console.log(
    `  server event loop gaps over 7 ms: ${gaps.length}, longest ${gaps
      .map((g) => Math.round(g[1]))
      .sort((a, b) => b - a)
      .slice(0, 5)
      .join(', ')} ms`,
  );
  if (!m.title.includes('offered (')) continue;
  // The fleet snapshot's refresh runs on its own 2 s timer: where it falls in the bursts' second is
  // fixed within a run (the bench's measurements last whole seconds), so it meets every other burst
  // or none.
  const snapshots = within(server.statements, m.start, m.end).filter((s) => s[2] === 'snapshot');
  console.log(
    `  snapshot statements began ${snapshots.map((s) => Math.round(s[0] - m.start) % 1000).join(', ')} ms into their second ` +
      `and took ${snapshots.map((s) => f(s[1] - s[0])).join(', ')} ms`,
  );
  // Bursts: requests by the second they were sent in.
  const seconds = new Map();
  ends.forEach((end, i) => {
    const second = Math.floor((end - latencies[i] - m.start) / 1000);
    if (!seconds.has(second)) seconds.set(second, []);
    seconds.get(second).push([end - latencies[i], end, latencies[i]]);
  });
  for (const [second, burst] of [...seconds].sort((a, b) => a[0] - b[0])) {
    const a = burst.reduce((m, r) => Math.min(m, r[0]), Infinity);
    const b = max(burst.map((r) => r[1]));
    // A statement that began up to 30 ms before the burst counts: its rows are parsed after it returns.
    const statements = within(server.statements, a - 30, b).filter((s) => s[1] >= a || s[2] !== 'series');
    console.log(
      `  second ${second}: ${burst.length} requests over ${f(b - a)} ms, slowest ${f(max(burst.map((r) => r[2])))} ms; ` +
        `${statements.filter((s) => s[2] === 'series').length} series statements, ` +
        `${
          statements
            .filter((s) => s[2] !== 'series')
            .map((s) => s[2])
            .join(' ') || 'no other statement'
        }; ` +
        `server GC ${f(within(server.gcs, a, b).reduce((n, g) => n + g[1], 0))} ms, client GC ${f(within(client.gcs, a, b).reduce((n, g) => n + g[1], 0))} ms ` +
        `(${within(client.gcs, a, b).filter((g) => g[2] === 4).length} mark-compacts)`,
    );
  }
}
