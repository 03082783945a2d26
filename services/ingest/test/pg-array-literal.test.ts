import { createTestDatabase } from '@hostwatch/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgArrayLiteral } from '../src/store/pg-array-literal.js';

let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('array_literal'), max: 2 });
});
afterAll(async () => {
  await pool.end();
});

describe('array literals for unnest parameters', () => {
  it('round-trips every kind of text through PostgreSQL as node-pg would send the array', async () => {
    const texts = [
      'web-01',
      '',
      'NULL',
      'null',
      'a,b',
      '{x}',
      'say "hi"',
      'back\\slash',
      '\\"',
      ' lead',
      'trail ',
      'tab\there',
      'line\nbreak',
      'ünïcødé ✓',
      null,
      "it's",
    ];
    const ours = await pool.query<{ v: (string | null)[] }>('SELECT $1::text[] AS v', [
      pgArrayLiteral(texts),
    ]);
    const theirs = await pool.query<{ v: (string | null)[] }>('SELECT $1::text[] AS v', [texts]);
    expect(ours.rows[0]?.v).toEqual(texts);
    expect(ours.rows[0]?.v).toEqual(theirs.rows[0]?.v);
  });

  it('round-trips numbers of the stats columns, nulls and timestamps', async () => {
    const big = [0, -1, 9_007_199_254_740_991, 24 * 2 ** 30, null];
    const real = [0, 12.5, 0.1, 99.99999, 1e-7, -3.25, null];
    const times = ['2026-11-23T10:00:00.000Z', '2026-11-23T10:00:10.123Z', null];
    const { rows } = await pool.query<{ b: (string | null)[]; r: (number | null)[]; t: (Date | null)[] }>(
      'SELECT $1::bigint[] AS b, $2::float8[] AS r, $3::timestamptz[] AS t',
      [pgArrayLiteral(big), pgArrayLiteral(real), pgArrayLiteral(times)],
    );
    expect(rows[0]?.b).toEqual(big.map((v) => (v === null ? null : String(v))));
    expect(rows[0]?.r).toEqual(real);
    expect(rows[0]?.t?.map((d) => d?.toISOString() ?? null)).toEqual(times);
  });

  it('writes an empty array', async () => {
    const { rows } = await pool.query<{ n: number }>('SELECT cardinality($1::text[]) AS n', [
      pgArrayLiteral([]),
    ]);
    expect(rows[0]?.n).toBe(0);
  });
});
