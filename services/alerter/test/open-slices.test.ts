import { subjectFor } from '@hostwatch/contract';
import { createDb, type Database } from '@hostwatch/db';
import { MemoryKeyRegistry, Opener, Sealer, generateCollectorKeyPair, generateHostKeyPair, type HeaderSource } from '@hostwatch/envelope';
import { createTestDatabase } from '@hostwatch/testkit';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchPipeline, Evaluator, openBatch, parseRules, silentLog, type PipelineMessage, type SealedStreamMessage } from '../src/index.js';
import { T0, statsMessage } from './support/alerter-world.js';

const HOSTS = ['h1', 'h2', 'h3'];
const rules = parseRules(`<clients>
${HOSTS.map((h) => `  <client host="${h}" mail="${h}@example.com"><alert type="memory" limit="80%" /></client>`).join('\n')}
</clients>`).rules;

const dbs: Kysely<Database>[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.destroy();
});

/** Rounds of stats from every host, sealed as agents seal them; h2 runs hot, so its alert fires and mails. */
function sealedRounds(rounds: number): { opener: Opener; messages: SealedStreamMessage[] } {
  const collector = generateCollectorKeyPair();
  const registry = new MemoryKeyRegistry();
  const sealers = HOSTS.map((h) => {
    const key = generateHostKeyPair(h);
    registry.add(key);
    return new Sealer(key, collector);
  });
  const messages: SealedStreamMessage[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const sealer of sealers) {
      const subject = subjectFor(sealer.hostId, 'stats');
      const body = statsMessage(sealer.hostId, T0 + r * 10_000, { memory: sealer.hostId === 'h2' ? 95 : 20 });
      const sealed = sealer.seal(subject, `${sealer.hostId}:boot-1:${r}`, new TextEncoder().encode(JSON.stringify(body)));
      messages.push({ subject, data: sealed.data, headers: sealed.headers as HeaderSource });
    }
  }
  return { opener: new Opener({ collectorKeys: collector, registry }), messages };
}

describe('opening a batch in slices', () => {
  it('opens to the same messages, and lets the event loop run in between', async () => {
    const { opener, messages } = sealedRounds(10);
    const tampered = { ...messages[4]!, data: Uint8Array.from(messages[4]!.data, (b, i) => (i === 40 ? b ^ 1 : b)) };
    const batch = [...messages.slice(0, 4), tampered, ...messages.slice(5)];

    let ranBetween = false;
    setImmediate(() => (ranBetween = true));
    const whole = await openBatch(batch, opener);
    // In one go a batch never waits on I/O once its keys are known: nothing else ran meanwhile.
    expect(ranBetween).toBe(false);

    ranBetween = false;
    setImmediate(() => (ranBetween = true));
    const sliced = await openBatch(batch, opener, { yieldEvery: 7 });
    expect(ranBetween).toBe(true);

    expect(sliced.itemIndexes).toEqual(whole.itemIndexes);
    expect(sliced.items.map((i) => i.messageId)).toEqual(whole.items.map((i) => i.messageId));
    expect(sliced.refused.map((r) => [r.index, r.reason])).toEqual([[4, 'tampered']]);
    expect(whole.refused.map((r) => [r.index, r.reason])).toEqual([[4, 'tampered']]);
  });

  it('through the overlapped pipeline, acknowledges every message once after its commit and records the same alerts and mail as opening in one go', async () => {
    const { opener, messages } = sealedRounds(8);
    const outcome = async (name: string, openSlice: number) => {
      const db = createDb(await createTestDatabase(name));
      dbs.push(db);
      const evaluator = new Evaluator({ db, rules: () => rules, clock: () => T0 + 8 * 10_000, log: silentLog });
      const pipeline = new BatchPipeline({ opener, evaluator, log: silentLog, batchSize: 5, openSlice });
      const acks: string[] = [];
      for (const [i, m] of messages.entries()) {
        const msg: PipelineMessage = {
          ...m,
          ack: () => acks.push(`${i}`),
          nak: () => acks.push(`nak ${i}`),
          term: () => acks.push(`term ${i}`),
        };
        await pipeline.push(msg);
      }
      await pipeline.drain();
      const alerts = await db.selectFrom('alerter_alerts').select(['host_id', 'type', 'state']).orderBy('host_id').execute();
      const mails = await db.selectFrom('alerter_outbox').select(['message_id', 'recipients', 'subject']).orderBy('message_id').execute();
      // Every acknowledged message's sample is durable: its host's progress reached it.
      const progress = await db.selectFrom('alerter_host_progress').select(['host_id']).orderBy('host_id').execute();
      return { acks: [...acks].sort(), alerts, mails, progress };
    };
    const sliced = await outcome('slices_2', 2);
    const whole = await outcome('slices_0', 0);
    expect(sliced.acks).toEqual(messages.map((_, i) => `${i}`).sort());
    expect(sliced.alerts).toEqual(whole.alerts);
    expect(sliced.alerts).toEqual([{ host_id: 'h2', type: 'memory', state: 'firing' }]);
    expect(sliced.mails).toEqual(whole.mails);
    expect(sliced.mails).toHaveLength(1);
    expect(sliced.progress.map((p) => p.host_id)).toEqual(HOSTS);
  });
});
