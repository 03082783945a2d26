import { createDb, type Database } from '@hostwatch/db';
import { createTestDatabase } from '@hostwatch/testkit';
import type { StatsMessageV1 } from '@hostwatch/contract';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Evaluator, parseRules, silentLog, type HostMessageItem } from '../src/index.js';
import { T0, statsMessage } from './support/alerter-world.js';

const HOSTS = 12;
const rules = parseRules(
  `<clients>\n${Array.from(
    { length: HOSTS },
    (_, h) => `  <client host="h${h}" mail="ops${h}@example.com"><alert type="memory" limit="80%" clear="70%" for="20s" /><alert type="disk" limit="90%" /></client>`,
  ).join('\n')}\n</clients>`,
).rules;

/** A stats message as the evaluator takes it. */
interface StatsItem extends HostMessageItem {
  readonly message: StatsMessageV1;
}

// Memory and disk of host h at second t: each host crosses the limits at its own times, so series go pending, fire and resolve.
function sample(h: number, t: number): StatsItem {
  const phase = (t / 10 + h) % 12;
  const memory = phase < 5 ? 40 : phase < 9 ? 85 + h : 75;
  const disk = (t / 10 + 2 * h) % 7 === 0 ? 95 : 50;
  return { hostId: `h${h}`, messageId: `h${h}:${t}`, message: statsMessage(`h${h}`, T0 + t * 1000, { memory, disks: { '/': disk } }) };
}

const items: StatsItem[] = [];
for (let t = 0; t <= 240; t += 10) for (let h = 0; h < HOSTS; h++) items.push(sample(h, t));

// A deterministic shuffle of every host's samples within `spanS` seconds (less than the lateness).
function shuffledWithin(list: readonly StatsItem[], spanS: number): StatsItem[] {
  const key = (i: StatsItem, n: number): number => Math.floor(Date.parse(i.message.time) / 1000 / spanS) * 1e6 + ((n * 7919) % 1009);
  return list.map((i, n) => ({ i, k: key(i, n) })).sort((a, b) => a.k - b.k).map(({ i }) => i);
}

const dbs: Kysely<Database>[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.destroy();
});

/**
 * Evaluates `batches` on a fresh database; with `restarts`, each batch and the final tick by an
 * evaluator of its own, as after a restart; with `legacy`, the waiting samples are rewritten
 * between batches as a replica from before migration 2026-11-24T1500 wrote them (a JSON array).
 */
async function evaluate(batches: readonly (readonly HostMessageItem[])[], { restarts = false, legacy = false } = {}): Promise<{ alerts: unknown[]; mails: unknown[]; waiting: number }> {
  const db = createDb(await createTestDatabase('batch'));
  dbs.push(db);
  let now = T0 + 250_000;
  const start = (): Evaluator => new Evaluator({ db, rules: () => rules, clock: () => now, log: silentLog, latenessMs: 30_000 });
  let evaluator = start();
  let rewritten = 0n;
  for (const batch of batches) {
    if (restarts) evaluator = start();
    await evaluator.handle(batch);
    if (legacy) {
      const { numAffectedRows } = await sql`
        UPDATE alerter_host_progress SET waiting = (
            SELECT json_agg(json_build_array(split_part(line, E'\\t', 1), split_part(line, E'\\t', 2)::float8, split_part(line, E'\\t', 3)::float8,
                regexp_replace(line, '^([^\\t]*\\t){3}', '')::json) ORDER BY n)::text
              FROM unnest(string_to_array(waiting, E'\\n')) WITH ORDINALITY AS l(line, n))
          WHERE waiting <> '' AND waiting NOT LIKE '[%'`.execute(db);
      rewritten += numAffectedRows ?? 0n;
    }
  }
  if (legacy) expect(rewritten).toBeGreaterThan(0n);
  now += 60_000;
  if (restarts) evaluator = start();
  await evaluator.tick();
  const alerts = await db
    .selectFrom('alerter_alerts')
    .select(['series_key', 'state', 'since', 'fired_at', 'last_value', 'last_time', 'notified_at', 'notifications'])
    .orderBy('series_key')
    .execute();
  const mails = await db.selectFrom('alerter_outbox').select(['message_id', 'recipients', 'subject']).orderBy('message_id').execute();
  const waiting = await sql<{ n: string | null }>`SELECT sum(cardinality(string_to_array(nullif(waiting, ''), E'\\n'))) AS n FROM alerter_host_progress`.execute(db);
  return { alerts, mails, waiting: Number(waiting.rows[0]?.n ?? 0) };
}

describe('batch evaluation', () => {
  it('one big out-of-order batch with redeliveries gives the same state and mail as one in-order message per transaction', async () => {
    const oneByOne = await evaluate(items.map((i) => [i]));
    expect(oneByOne.mails.length).toBeGreaterThan(HOSTS);
    expect(oneByOne.mails.some((m) => (m as { subject: string }).subject.includes('RESOLVED'))).toBe(true);
    expect(oneByOne.alerts.length).toBeGreaterThan(0);
    expect(oneByOne.waiting).toBe(0);

    const shuffled = shuffledWithin(items, 30);
    const batched = await evaluate([shuffled.slice(0, 150), [...shuffled.slice(150), ...shuffled.slice(100, 140)], shuffled.slice(0, 20)]);
    expect(batched).toEqual(oneByOne);
  });

  it('a restart between batches, with samples waiting out the lateness in the database, changes neither state nor mail', async () => {
    const shuffled = shuffledWithin(items, 30);
    const batches = Array.from({ length: Math.ceil(shuffled.length / 40) }, (_, i) => shuffled.slice(i * 40, i * 40 + 40));
    const uninterrupted = await evaluate(batches);
    expect(uninterrupted.mails.length).toBeGreaterThan(HOSTS);
    expect(await evaluate(batches, { restarts: true })).toEqual(uninterrupted);
  });

  it('samples left waiting by a replica from before the line form are evaluated as if it had written lines', async () => {
    const shuffled = shuffledWithin(items, 30);
    const batches = Array.from({ length: Math.ceil(shuffled.length / 40) }, (_, i) => shuffled.slice(i * 40, i * 40 + 40));
    const uninterrupted = await evaluate(batches);
    expect(await evaluate(batches, { restarts: true, legacy: true })).toEqual(uninterrupted);
  });

  it('a sample later than the lateness is dropped and changes nothing', async () => {
    const first = items.filter((i) => i.hostId === 'h0');
    const before = await evaluate([first]);
    const late = sample(0, 5);
    const after = await evaluate([first, [{ ...late, message: { ...late.message, memory: { ...late.message.memory, usedPercent: 99 } } }]]);
    expect(after).toEqual(before);
  });
});
