import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STREAM_NAME } from '@hostwatch/contract';
import { writeKeyFile } from '@hostwatch/envelope';
import { waitFor } from '@hostwatch/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventMessage,
  sshMessage,
  startIngestWorld,
  statsMessage,
  type IngestWorld,
} from './support/ingest-world.js';
import { startIngestProcess, type IngestProcess } from './support/ingest-process.js';

// AckWait is shortened so the messages of a killed process come back within seconds.
const ACK_WAIT_MS = 2000;
const STATS = 300;
const SSH = 40;

let world: IngestWorld;
let dir: string;
let running: IngestProcess | undefined;
beforeEach(async () => {
  world = await startIngestWorld({ consumer: { ackWaitMs: ACK_WAIT_MS } });
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-ingest-crash-'));
  await writeKeyFile(join(dir, 'collector.key'), world.collector);
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await world.dispose();
  await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: world.nats.url,
    DATABASE_URL: world.databaseUrl,
    COLLECTOR_KEY_FILE: join(dir, 'collector.key'),
    INGEST_ACK_WAIT_MS: String(ACK_WAIT_MS),
    INGEST_BATCH_SIZE: '1000',
    INGEST_BATCH_WAIT_MS: '200',
    ...extra,
  };
}

/** Publishes stats, ssh (each message one failed login of its own session, count 2) and event messages. */
async function publishBacklog(): Promise<void> {
  const web01 = await world.addHost('web-01');
  const now = Date.now();
  for (let i = 1; i <= STATS; i++) {
    const m = statsMessage('web-01', i, new Date(now - (STATS - i) * 1000));
    await world.publish(web01, 'stats', m.id, m.body);
  }
  for (let i = 0; i < SSH; i++) {
    const m = sshMessage('web-01', i * 100, [
      {
        id: `f${i}`,
        time: new Date(now - i * 1000),
        event: 'failed',
        session: `s${i}`,
        source: '203.0.113.9',
        user: 'root',
        method: 'password',
        count: 2,
      },
    ]);
    await world.publish(web01, 'ssh', m.id, m.body);
  }
  const e = eventMessage('web-01', 0);
  await world.publish(web01, 'event', e.id, e.body);
}

async function drainedBy(proc: IngestProcess): Promise<void> {
  const jsm = await jetstreamManager(world.nc);
  await waitFor(
    'the backlog drained',
    async () => {
      const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    },
    { timeoutMs: 60_000 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${proc.output()}`);
  });
}

async function expectEverythingOnce(): Promise<void> {
  expect(await world.count('host_stats')).toBe(STATS);
  expect(await world.count('ssh_events')).toBe(SSH);
  expect(await world.count('security_events')).toBe(1);
  const totals = await world.pool.query<{ failures: number; sessions: number }>(
    `SELECT sum(failures)::int AS failures, count(*)::int AS sessions FROM ssh_sessions`,
  );
  expect(totals.rows[0]).toEqual({ failures: 2 * SSH, sessions: SSH });
  const daily = await world.pool.query<{ attempts: number; failures: number }>(
    'SELECT sum(attempts)::int AS attempts, sum(failures)::int AS failures FROM ssh_daily',
  );
  expect(daily.rows[0]).toEqual({ attempts: SSH, failures: 2 * SSH });
  expect(await world.count('quarantine')).toBe(0);
}

describe('ingest killed with SIGKILL', () => {
  it('between insert and commit: nothing of the batch is kept, and after a restart every message is stored once', async () => {
    await publishBacklog();
    const crashing = await startIngestProcess(env({ HOSTWATCH_TEST_CRASH_AT: 'before-commit' }));
    expect(await crashing.exited).toBe('SIGKILL');
    // The batch was written but never committed.
    expect(await world.count('host_stats')).toBe(0);

    running = await startIngestProcess(env());
    await drainedBy(running);
    await expectEverythingOnce();
  });

  it('between commit and ack: the committed batch comes back, is a no-op, and every message is stored once', async () => {
    await publishBacklog();
    const crashing = await startIngestProcess(env({ HOSTWATCH_TEST_CRASH_AT: 'after-commit' }));
    expect(await crashing.exited).toBe('SIGKILL');
    // The batch is committed but JetStream still waits for its acknowledgement.
    const committed = await world.count('host_stats');
    expect(committed).toBeGreaterThan(0);
    const info = await (await jetstreamManager(world.nc)).consumers.info(STREAM_NAME, 'ingest');
    expect(info.num_ack_pending).toBeGreaterThan(0);

    running = await startIngestProcess(env());
    await drainedBy(running);
    await expectEverythingOnce();
    // The restarted process saw the committed messages again and found them stored.
    const metrics = await (await fetch(`http://127.0.0.1:${running.healthPort}/metrics`)).text();
    const duplicates =
      /hostwatch_ingest_messages_total\{kind="stats",outcome="duplicate",service="ingest"\} (\d+)/.exec(
        metrics,
      )?.[1];
    expect(Number(duplicates)).toBeGreaterThan(0);
  });
});
