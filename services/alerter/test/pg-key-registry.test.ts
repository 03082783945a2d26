import { createDb } from '@hostwatch/db';
import { generateHostKeyPair } from '@hostwatch/envelope';
import { createTestDatabase } from '@hostwatch/testkit';
import { describe, expect, it } from 'vitest';
import { PgKeyRegistry } from '../src/index.js';

describe('PgKeyRegistry', () => {
  it('renews a prefetched answer past half its time, so a batch opened from that prefetch needs no further reads', async () => {
    const db = createDb(await createTestDatabase('key_registry'));
    const keys = ['h1', 'h2'].map((h) => generateHostKeyPair(h));
    await db.insertInto('hosts').values(keys.map((k) => ({ host_id: k.hostId, status: 'approved' }))).execute();
    await db.insertInto('host_keys').values(keys.map((k) => ({ host_id: k.hostId, key_id: k.keyId, public_key: Buffer.from(k.publicKey), status: 'approved' }))).execute();
    let now = 0;
    const registry = new PgKeyRegistry(db, 2_000, () => now);
    const pairs = keys.map((k) => [k.hostId, k.keyId] as const);
    await registry.prefetch(pairs);
    // The next round of the same hosts, 1.5 s later: the answers are renewed, not left to expire mid-batch.
    now = 1_500;
    await db.updateTable('host_keys').set({ status: 'revoked' }).where('host_id', '=', 'h2').execute();
    await registry.prefetch(pairs);
    await db.destroy();
    // Opening that batch takes a while; with the database gone, an answer not renewed would fail here.
    now = 3_000;
    expect((await registry.lookup('h1', keys[0]!.keyId))?.status).toBe('approved');
    // The renewal also carried the revocation, within the cache time of the change.
    expect((await registry.lookup('h2', keys[1]!.keyId))?.status).toBe('revoked');
  });
});
