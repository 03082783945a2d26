import { createDb, type Database } from '@hostwatch/db';
import { createTestDatabase } from '@hostwatch/testkit';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Evaluator, parseRules, silentLog, type HostMessageItem } from '../src/index.js';
import { T0, sshEvent, statsMessage } from './support/alerter-world.js';

const rules = parseRules(`<clients>
  <client ip="10.0.0.9" mail="ip@example.com"><alert type="memory" limit="80%" /></client>
</clients>`).rules;

const dbs: Kysely<Database>[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.destroy();
});

function stats(t: number, addresses: readonly string[]): HostMessageItem {
  return { hostId: 'h1', messageId: `h1:${t}`, message: statsMessage('h1', T0 + t * 1000, { memory: 90, addresses }) };
}

function login(id: string, t: number): HostMessageItem {
  return { hostId: 'h1', messageId: `ssh-${id}`, message: { v: 1, kind: 'ssh', hostId: 'h1', events: [sshEvent(id, T0 + t * 1000, 'accepted', { source: '192.0.2.7', user: 'root' })] } };
}

describe('host name and addresses', () => {
  it('are written when they change, and every evaluator after a restart matches the host by its newest addresses', async () => {
    const db = createDb(await createTestDatabase('addresses'));
    dbs.push(db);
    let now = T0 + 60_000;
    // A new evaluator for every batch: nothing is carried over in memory, as after a restart.
    const handle = async (...items: HostMessageItem[]): Promise<void> =>
      new Evaluator({ db, rules: () => rules, clock: () => now, log: silentLog, latenessMs: 10_000, digestWindowMs: 0 }).handle(items);
    const mails = async (): Promise<string[]> =>
      (await db.selectFrom('alerter_outbox').select(['recipients', 'subject']).orderBy('id').execute()).map((m) => `${m.recipients.join(',')} ${m.subject}`);

    // Under another address no client matches: the sample at 0 s is evaluated and nothing fires.
    await handle(stats(0, ['10.0.0.1']));
    await handle(stats(10, ['10.0.0.1']));
    expect(await mails()).toEqual([]);

    // The host moves to the client's address: its samples from 20 s on belong to that client.
    await handle(stats(20, ['10.0.0.9']));
    await handle(stats(30, ['10.0.0.9']));
    expect((await mails()).map((m) => m.split(':')[0])).toEqual(['ip@example.com [hostwatch] FIRING']);

    // Security events are routed by the stored addresses, which followed the change.
    now += 1_000;
    await handle(login('a', 31));
    // Samples with unchanged addresses do not rewrite them; the host still matches after more restarts.
    await handle(stats(40, ['10.0.0.9']));
    await handle(stats(50, ['10.0.0.9']));
    await handle(login('b', 51));
    expect((await mails()).slice(1)).toEqual(['ip@example.com [hostwatch] h1: accepted root from 192.0.2.7', 'ip@example.com [hostwatch] h1: accepted root from 192.0.2.7']);
    const host = await db.selectFrom('alerter_hosts').select(['hostname', 'addresses']).where('host_id', '=', 'h1').executeTakeFirstOrThrow();
    expect(host).toEqual({ hostname: 'h1.example.com', addresses: ['10.0.0.9'] });
  });
});
