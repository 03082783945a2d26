// The four ways of writing a batch of 12-column rows to PostgreSQL that ingest could use, each
// idempotent (ON CONFLICT DO NOTHING), each measured the same way by run.mjs.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';

export const BENCH_TABLE = `
CREATE TABLE IF NOT EXISTS bench_rows (
  host_id text NOT NULL, time timestamptz NOT NULL, seq bigint NOT NULL, cpu real, mem_used real,
  mem_total bigint, swap_used real, load1 real, load5 real, load15 real, uptime double precision,
  message_id text NOT NULL, PRIMARY KEY (host_id, seq))`;

const COLUMNS =
  'host_id, time, seq, cpu, mem_used, mem_total, swap_used, load1, load5, load15, uptime, message_id';

/** Row `i` of a run: 12 values. */
export function row(i) {
  const host = `host-${i % 1000}`;
  return [
    host,
    new Date(Date.UTC(2026, 10, 23) + i * 10).toISOString(),
    i,
    (i % 100) + 0.5,
    42.5,
    8_000_000_000,
    3.25,
    0.5,
    0.4,
    0.3,
    12345.5,
    `${host}.stats.boot.${i}`,
  ];
}

/** One INSERT per row, each its own transaction: the peer every other strategy is compared with. */
export async function insertPerRow(client, rows) {
  for (const r of rows) {
    await client.query({
      name: 'bench_one',
      text: `INSERT INTO bench_rows (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT DO NOTHING`,
      values: r,
    });
  }
}

/** One multi-row `INSERT … VALUES (…), (…)` per batch. */
export async function insertValues(client, rows) {
  const values = [];
  const tuples = rows.map((r, i) => {
    values.push(...r);
    return `(${r.map((_, c) => `$${i * 12 + c + 1}`).join(',')})`;
  });
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO bench_rows (${COLUMNS}) VALUES ${tuples.join(',')} ON CONFLICT DO NOTHING`,
    values,
  );
  await client.query('COMMIT');
}

/** `INSERT … SELECT FROM unnest($1::text[], …)` as a named prepared statement: what ingest uses. */
export async function insertUnnest(client, rows) {
  const cols = Array.from({ length: 12 }, (_, c) => rows.map((r) => r[c]));
  await client.query('BEGIN');
  await client.query({
    name: 'bench_unnest',
    text: `INSERT INTO bench_rows (${COLUMNS}) SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::real[], $5::real[], $6::bigint[], $7::real[], $8::real[], $9::real[], $10::real[], $11::float8[], $12::text[]) ON CONFLICT DO NOTHING`,
    values: cols,
  });
  await client.query('COMMIT');
}

/** COPY into a temporary staging table, then `INSERT … SELECT … ON CONFLICT DO NOTHING`. */
export async function copyViaStaging(client, rows) {
  await client.query('BEGIN');
  await client.query('CREATE TEMP TABLE IF NOT EXISTS bench_stage (LIKE bench_rows) ON COMMIT DELETE ROWS');
  const text = rows.map((r) => r.join('\t')).join('\n') + '\n';
  await pipeline(Readable.from([text]), client.query(copyStreams.from('COPY bench_stage FROM STDIN')));
  await client.query(`INSERT INTO bench_rows SELECT * FROM bench_stage ON CONFLICT DO NOTHING`);
  await client.query('COMMIT');
}

/** Plain COPY straight into the table (no conflict handling, so not idempotent): the ceiling. */
export async function copyDirect(client, rows) {
  await client.query('BEGIN');
  const text = rows.map((r) => r.join('\t')).join('\n') + '\n';
  await pipeline(
    Readable.from([text]),
    client.query(copyStreams.from(`COPY bench_rows (${COLUMNS}) FROM STDIN`)),
  );
  await client.query('COMMIT');
}
