import { createTestDatabase } from '@hostwatch/testkit';
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { createApiDb } from '../src/db/create-api-db.js';

describe('createApiDb', () => {
  it('keeps an idle connection, with its prepared statements, through a quiet spell', async () => {
    const db = createApiDb(await createTestDatabase('api-db'), { maxConnections: 1 });
    // pg-pool closes a connection idle for 10 s unless told otherwise; its timer is a setTimeout.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const backend = async () =>
        (
          await sql<{ pid: number; prepared: number }>`
          SELECT pg_backend_pid() AS pid, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared`.execute(
            db,
          )
        ).rows[0]!;
      const before = await backend();
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      const after = await backend();
      expect(after.pid).toBe(before.pid);
      expect(after.prepared).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
      await db.destroy();
    }
  });
});
