import { createDb } from '@hostwatch/db';
import { generateHostKeyPair } from '@hostwatch/envelope';
import { createTestDatabase } from '@hostwatch/testkit';
import { sql } from 'kysely';
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

  it('answers unknown keys with none until they are enrolled, renews statuses in place, and keeps each key of a host that rotates apart', async () => {
    const db = createDb(await createTestDatabase('key_registry_rotation'));
    await db.insertInto('hosts').values({ host_id: 'h1', status: 'approved' }).execute();
    const [old, fresh] = [generateHostKeyPair('h1'), generateHostKeyPair('h1')];
    await db.insertInto('host_keys').values({ host_id: 'h1', key_id: old!.keyId, public_key: Buffer.from(old!.publicKey), status: 'approved' }).execute();
    let now = 0;
    const registry = new PgKeyRegistry(db, 2_000, () => now);
    await registry.prefetch([
      ['h1', old!.keyId],
      ['h1', fresh!.keyId],
      ['h2', old!.keyId],
    ]);
    expect(await registry.lookup('h1', old!.keyId)).toEqual({ publicKey: Uint8Array.from(old!.publicKey), status: 'approved' });
    expect(await registry.lookup('h1', fresh!.keyId)).toBeUndefined();
    // Another host naming the same key id has no such key.
    expect(await registry.lookup('h2', old!.keyId)).toBeUndefined();

    // The host rotates: its new key is enrolled pending, then approved, and the old one revoked.
    await db.insertInto('host_keys').values({ host_id: 'h1', key_id: fresh!.keyId, public_key: Buffer.from(fresh!.publicKey), status: 'pending' }).execute();
    now = 1_000;
    await registry.prefetch([
      ['h1', old!.keyId],
      ['h1', fresh!.keyId],
    ]);
    expect((await registry.lookup('h1', fresh!.keyId))?.status).toBe('pending');
    await db.updateTable('host_keys').set({ status: 'approved' }).where('key_id', '=', fresh!.keyId).execute();
    await db.updateTable('host_keys').set({ status: 'revoked' }).where('key_id', '=', old!.keyId).execute();
    now = 2_500;
    await registry.prefetch([
      ['h1', old!.keyId],
      ['h1', fresh!.keyId],
    ]);
    expect(await registry.lookup('h1', fresh!.keyId)).toEqual({ publicKey: Uint8Array.from(fresh!.publicKey), status: 'approved' });
    expect(await registry.lookup('h1', old!.keyId)).toEqual({ publicKey: Uint8Array.from(old!.publicKey), status: 'revoked' });

    // A key deleted since is no longer answered once its answer is renewed.
    await db.deleteFrom('host_keys').where('key_id', '=', old!.keyId).execute();
    now = 4_000;
    await registry.prefetch([['h1', old!.keyId]]);
    expect(await registry.lookup('h1', old!.keyId)).toBeUndefined();
    await db.destroy();
  });

  it('asks again after a failed prefetch, and leaves nothing half answered meanwhile', async () => {
    const db = createDb(await createTestDatabase('key_registry_failure'));
    const key = generateHostKeyPair('h1');
    await db.insertInto('hosts').values({ host_id: 'h1', status: 'approved' }).execute();
    await db.insertInto('host_keys').values({ host_id: 'h1', key_id: key.keyId, public_key: Buffer.from(key.publicKey), status: 'approved' }).execute();
    const registry = new PgKeyRegistry(db, 2_000, () => 0);
    await sql`ALTER TABLE host_keys RENAME TO host_keys_away`.execute(db);
    await expect(registry.prefetch([['h1', key.keyId]])).rejects.toThrow();
    await expect(registry.lookup('h1', key.keyId)).rejects.toThrow();
    await sql`ALTER TABLE host_keys_away RENAME TO host_keys`.execute(db);
    await registry.prefetch([['h1', key.keyId]]);
    await sql`ALTER TABLE host_keys RENAME TO host_keys_away`.execute(db);
    // Answered by the second prefetch: no read at lookup.
    expect((await registry.lookup('h1', key.keyId))?.status).toBe('approved');
    await sql`ALTER TABLE host_keys_away RENAME TO host_keys`.execute(db);
    await db.destroy();
  });
});
