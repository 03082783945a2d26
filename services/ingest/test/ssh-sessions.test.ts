import { createTestDatabase } from '@hostwatch/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchStore, PartitionManager, type StoreBatch } from '../src/index.js';
import { sshMessage, type TestSshEvent } from './support/ingest-world.js';

let pool: pg.Pool;
let store: BatchStore;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase('sessions'), max: 4 });
  await pool.query(`INSERT INTO hosts (host_id, status) VALUES ('web-01', 'approved')`);
  // The clock is the day of the fixed events, so retention never drops them whenever this runs.
  store = new BatchStore(pool, new PartitionManager(pool), {
    retentionDays: 30,
    quarantineMaxBytes: 1024,
    now: () => T0 + 3_600_000,
  });
});
afterAll(async () => {
  await pool.end();
});

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const at = (s: number): Date => new Date(T0 + s * 1000);

function batch(...messages: { offset: number; events: TestSshEvent[] }[]): StoreBatch {
  return {
    items: messages.map(({ offset, events }) => {
      const m = sshMessage('web-01', offset, events);
      return { messageId: m.id, message: m.body };
    }),
    quarantine: [],
    enrollments: [],
    pendingHosts: new Set(),
  };
}

// One brute-force connection (s1: two failed passwords, one line repeated 3 times, from
// 203.0.113.9), one successful login (s2) and a probe (s3) from a second source.
const s1a: TestSshEvent[] = [
  { id: 'e1', time: at(0), event: 'connection', session: 's1', source: '203.0.113.9' },
  { id: 'e2', time: at(1), event: 'invalid_user', session: 's1', source: '203.0.113.9', user: 'admin' },
  {
    id: 'e3',
    time: at(2),
    event: 'failed',
    session: 's1',
    source: '203.0.113.9',
    user: 'admin',
    method: 'password',
  },
];
const s1b: TestSshEvent[] = [
  {
    id: 'e4',
    time: at(3),
    event: 'failed',
    session: 's1',
    source: '203.0.113.9',
    user: 'root',
    method: 'password',
    count: 3,
  },
  { id: 'e5', time: at(9), event: 'disconnected', session: 's1', source: '203.0.113.9' },
];
const s2: TestSshEvent[] = [
  {
    id: 'e6',
    time: at(20),
    event: 'accepted',
    session: 's2',
    source: '198.51.100.7',
    user: 'alice',
    method: 'publickey',
  },
  { id: 'e7', time: at(21), event: 'session_opened', session: 's2', user: 'alice' },
];
const s3: TestSshEvent[] = [
  { id: 'e8', time: at(30), event: 'probe', session: 's3', source: '198.51.100.7' },
];

async function sessions(): Promise<unknown[]> {
  const { rows } = await pool.query(
    `SELECT session, started_at, ended_at, source, users, methods, failures, invalid_users, accepted, events, closed
       FROM ssh_sessions WHERE host_id = 'web-01' ORDER BY session`,
  );
  return rows;
}

async function daily(): Promise<unknown[]> {
  const { rows } = await pool.query(
    `SELECT day::text, attempts, failures, invalid_users, accepted, sources FROM ssh_daily WHERE host_id = 'web-01'`,
  );
  return rows;
}

describe('ssh sessions and the daily rollup', () => {
  it('come out the same whatever the order and however often the events are delivered', async () => {
    // Out of order: the end of s1 first, then s2 and s3, then the start of s1, each re-delivered.
    await store.commit(batch({ offset: 300, events: s1b }));
    await store.commit(batch({ offset: 500, events: s2 }, { offset: 600, events: s3 }));
    await store.commit(batch({ offset: 300, events: s1b }));
    await store.commit(batch({ offset: 0, events: s1a }, { offset: 300, events: s1b }));
    await store.commit(batch({ offset: 0, events: s1a }, { offset: 500, events: s2 }));
    // The same events again under another message id (a re-read log): event ids keep them once.
    await store.commit(batch({ offset: 900, events: [...s1a, ...s1b, ...s2, ...s3] }));

    expect(await pool.query('SELECT count(*)::int AS n FROM ssh_events').then((r) => r.rows[0].n)).toBe(8);
    expect(await sessions()).toEqual([
      {
        session: 's1',
        started_at: at(0),
        ended_at: at(9),
        source: '203.0.113.9',
        users: ['admin', 'root'],
        methods: ['password'],
        failures: 4,
        invalid_users: 1,
        accepted: 0,
        events: 5,
        closed: true,
      },
      {
        session: 's2',
        started_at: at(20),
        ended_at: at(21),
        source: '198.51.100.7',
        users: ['alice'],
        methods: ['publickey'],
        failures: 0,
        invalid_users: 0,
        accepted: 1,
        events: 2,
        closed: false,
      },
      {
        session: 's3',
        started_at: at(30),
        ended_at: at(30),
        source: '198.51.100.7',
        users: [],
        methods: [],
        failures: 0,
        invalid_users: 0,
        accepted: 0,
        events: 1,
        closed: false,
      },
    ]);
    expect(await daily()).toEqual([
      { day: '2026-11-23', attempts: 3, failures: 4, invalid_users: 1, accepted: 1, sources: 2 },
    ]);
  });
});
