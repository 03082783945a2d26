import { STREAM_NAME } from '@hostwatch/contract';
import { waitFor } from '@hostwatch/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestService } from '../src/index.js';
import { sshMessage, startIngestWorld, statsMessage, type IngestWorld } from './support/ingest-world.js';
import { runIngestIn } from './support/run-ingest.js';

let world: IngestWorld;
let replicas: IngestService[] = [];
beforeEach(async () => {
  world = await startIngestWorld();
});
afterEach(async () => {
  for (const r of replicas) await r.stop();
  replicas = [];
  await world.dispose();
});

function handled(metrics: string): number {
  let total = 0;
  for (const m of metrics.matchAll(
    /hostwatch_ingest_messages_total\{kind="\w+",outcome="(?:stored|duplicate)",service="ingest"\} (\d+)/g,
  )) {
    total += Number(m[1]);
  }
  return total;
}

// Each replica also writes several batches at once (INGEST_WRITERS): the same races between
// transactions as between replicas, on the same session rows.
describe.each(['1', '4'])('two replicas sharing the consumer, %s writer(s) each', (writers) => {
  it('store every message once between them, each taking part', async () => {
    const hosts = await Promise.all(['web-01', 'web-02', 'web-03'].map((h) => world.addHost(h)));
    const settings = { INGEST_BATCH_SIZE: '50', INGEST_BATCH_WAIT_MS: '5', INGEST_WRITERS: writers };
    replicas = [
      await runIngestIn(world, settings, 'ingest-a'),
      await runIngestIn(world, settings, 'ingest-b'),
    ];

    const perHost = 600;
    const base = Date.now() - 3_600_000;
    await Promise.all(
      hosts.map(async (host) => {
        for (let i = 1; i <= perHost; i++) {
          const m = statsMessage(host.hostId, i, new Date(base + i * 1000));
          await world.publish(host, 'stats', m.id, m.body);
          if (i % 20 === 0) {
            // Every session gets events in two messages, which the replicas may take in either order.
            const t = new Date(base + i * 1000);
            const a = sshMessage(host.hostId, i * 10, [
              {
                id: `a${i}`,
                time: t,
                event: 'failed',
                session: `s${i}`,
                source: '203.0.113.9',
                user: 'root',
                method: 'password',
              },
            ]);
            const b = sshMessage(host.hostId, i * 10 + 5, [
              {
                id: `b${i}`,
                time: t,
                event: 'failed',
                session: `s${i}`,
                source: '203.0.113.9',
                user: 'admin',
                method: 'password',
                count: 2,
              },
            ]);
            await world.publish(host, 'ssh', a.id, a.body);
            await world.publish(host, 'ssh', b.id, b.body);
          }
        }
      }),
    );

    const jsm = await jetstreamManager(world.nc);
    await waitFor(
      'both replicas drained the stream',
      async () => {
        const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
        return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );

    expect(await world.count('host_stats')).toBe(3 * perHost);
    const dupes = await world.pool.query(
      'SELECT host_id, boot_id, seq FROM host_stats GROUP BY 1, 2, 3 HAVING count(*) > 1',
    );
    expect(dupes.rows).toEqual([]);
    const sessions = await world.pool.query<{ n: number; failures: number; users: number }>(
      `SELECT count(*)::int AS n, sum(failures)::int AS failures, sum(cardinality(users))::int AS users FROM ssh_sessions`,
    );
    expect(sessions.rows[0]).toEqual({ n: 3 * 30, failures: 3 * 30 * 3, users: 3 * 30 * 2 });
    expect(await world.count('quarantine')).toBe(0);

    const counts = await Promise.all(
      replicas.map(async (r) => handled(await (await fetch(`${r.opsUrl}/metrics`)).text())),
    );
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3 * perHost + 3 * 60);
  });
});
