import { sql } from 'kysely';
import { startTestPostgres } from '@hostwatch/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, knownMigrations, migrateToLatest } from '../src/index.js';
import type { TestPostgres } from '@hostwatch/testkit';

let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await startTestPostgres();
});
afterAll(async () => {
  await cluster.dispose();
});

describe('migrateToLatest', () => {
  it('applies every migration once, in order, and then nothing', async () => {
    const url = await cluster.createDatabase('fresh');
    const first = await migrateToLatest(url);
    expect(first.map((r) => r.migrationName)).toEqual(knownMigrations());
    expect(first.every((r) => r.status === 'Success')).toBe(true);
    expect(await migrateToLatest(url)).toEqual([]);

    const db = createDb(url);
    try {
      await db.insertInto('hosts').values({ host_id: 'web-01', addresses: ['10.0.0.5'] }).execute();
      const host = await db.selectFrom('hosts').selectAll().executeTakeFirstOrThrow();
      expect(host).toMatchObject({ host_id: 'web-01', status: 'pending', addresses: ['10.0.0.5'] });
      await expect(
        db.insertInto('host_keys').values({ host_id: 'web-01', key_id: 'k', public_key: Buffer.alloc(5), status: 'approved' }).execute(),
      ).rejects.toThrow(/check constraint/);
    } finally {
      await db.destroy();
    }
  });

  it('names the migration that failed and keeps the database error', async () => {
    const url = await cluster.createDatabase('clash');
    const db = createDb(url);
    await sql`CREATE TABLE hosts (x int)`.execute(db);
    await db.destroy();
    await expect(migrateToLatest(url)).rejects.toThrow(/migration 2026-11-23T1900_hosts-and-keys failed: .*already exists/);
  });

  it('fails with a connection error when the server is unreachable', async () => {
    await expect(migrateToLatest('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow();
  });
});
