import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetSnapshot } from '../src/live/fleet-snapshot.js';
import type { HostSummaryBody } from '../src/schemas/host.js';
import { insertStats, updateLatest } from './support/seed-fleet.js';
import { startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

/**
 * A snapshot of `db` on the test's clock, refreshed once: the hosts each refresh reported, and the
 * host objects of that first refresh.
 */
async function watchFleet(
  db: TestApi['db'],
  now: () => Date,
  limits: { offlineAfterMs: number; latestWithinMs: number },
) {
  const snapshot = new FleetSnapshot({
    db,
    now,
    ...limits,
    onError: (err) => {
      throw err;
    },
  });
  const reported: string[][] = [];
  snapshot.onChange((changed) => reported.push(changed.map((h) => h.hostId)));
  await snapshot.refresh();
  const before = new Map(snapshot.hosts.map((h): [string, HostSummaryBody] => [h.hostId, h]));
  return { snapshot, reported, before };
}

describe('FleetSnapshot', () => {
  it('rebuilds only the hosts whose row or state changed, and reports only those whose summary changed', async () => {
    let now = new Date();
    const { snapshot, reported, before } = await watchFleet(api.db, () => now, {
      offlineAfterMs: 10 * 60_000,
      latestWithinMs: 86_400_000,
    });
    expect(reported).toEqual([[...before.keys()]]);

    // web-02 sends a sample; web-01's key is revoked (detail only); nothing else changes.
    await insertStats(api.db, 'web-02', now, 12.5, 33, 500);
    await api.db
      .updateTable('host_keys')
      .set({ status: 'revoked', revoked_at: now })
      .where('key_id', '=', 'k-web-01')
      .execute();
    await snapshot.refresh();
    expect(reported.at(-1)).toEqual(['web-02']);
    expect(snapshot.host('web-02')?.latest).toMatchObject({ cpuPercent: 12.5, memPercent: 33 });
    expect(snapshot.host('web-01')?.keys).toEqual([
      expect.objectContaining({ keyId: 'k-web-01', status: 'revoked', revokedAt: now.toISOString() }),
    ]);
    for (const host of snapshot.hosts) {
      if (host.hostId !== 'web-02') expect(host).toBe(before.get(host.hostId));
    }

    // Time alone turns an approved host offline: its row is the same, its state is not.
    now = new Date(now.getTime() + 3_600_000);
    await snapshot.refresh();
    expect(reported.at(-1)).toEqual(expect.arrayContaining(['web-01', 'web-02']));
    expect(snapshot.host('web-01')?.status).toBe('offline');

    // A renamed host and an alert that fires: each changes the host's digest, nothing else does.
    await api.db
      .updateTable('hosts')
      .set({ hostname: 'web-01.renamed' })
      .where('host_id', '=', 'web-01')
      .execute();
    await api.db
      .updateTable('alerter_alerts')
      .set({ state: 'firing', fired_at: now, updated_at: now })
      .where('series_key', '=', 'memory:web-02')
      .execute();
    await snapshot.refresh();
    expect([...reported.at(-1)!].sort()).toEqual(['web-01', 'web-02']);
    expect(snapshot.host('web-01')?.hostname).toBe('web-01.renamed');
    expect(snapshot.host('web-02')?.openAlerts).toBe(1);
    await snapshot.refresh();
    expect(reported).toHaveLength(4);
  });

  it('follows keys added and removed and a latest sample growing too old, and reports no host written again unchanged', async () => {
    // A database of its own: the test above changes the shared one.
    const own = await startTestApi();
    try {
      let now = own.now;
      const { snapshot, reported, before } = await watchFleet(own.db, () => now, {
        // Nobody goes offline here, so only the rows can change a host.
        offlineAfterMs: 30 * 86_400_000,
        latestWithinMs: 4 * 3_600_000,
      });
      expect(snapshot.host('web-02')?.latest).toMatchObject({ cpuPercent: 55 });

      // A second key, then the first one gone: the detail follows, the summary (and so the feed) does not.
      await own.db
        .insertInto('host_keys')
        .values({
          host_id: 'web-01',
          key_id: 'k-web-01-next',
          public_key: Buffer.alloc(32, 3),
          status: 'pending',
        })
        .execute();
      await snapshot.refresh();
      expect(snapshot.host('web-01')?.keys.map((k) => k.keyId)).toEqual(['k-web-01', 'k-web-01-next']);
      await own.db.deleteFrom('host_keys').where('key_id', '=', 'k-web-01').execute();
      await snapshot.refresh();
      expect(snapshot.host('web-01')?.keys.map((k) => k.keyId)).toEqual(['k-web-01-next']);
      expect(reported).toHaveLength(1);

      // Rows written again with the values they had: nothing to report, the objects stay.
      await updateLatest(own.db, 'web-02');
      await own.db
        .updateTable('hosts')
        .set({ hostname: 'web-01.example.net' })
        .where('host_id', '=', 'web-01')
        .execute();
      await snapshot.refresh();
      expect(reported).toHaveLength(1);
      expect(snapshot.hosts.find((h) => h.hostId === 'web-02')).toBe(before.get('web-02'));

      // Two hours on, web-02's latest sample (3 h old) is past latestWithinMs: its row is the same, but
      // the snapshot no longer reads it.
      now = new Date(now.getTime() + 2 * 3_600_000);
      await snapshot.refresh();
      expect(reported.at(-1)).toEqual(['web-02']);
      expect(snapshot.host('web-02')?.latest).toBeNull();
      expect(snapshot.host('web-02')?.status).toBe('online');
    } finally {
      await own.close();
    }
  });
});
