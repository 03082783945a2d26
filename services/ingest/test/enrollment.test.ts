import { STREAM_NAME } from '@hostwatch/contract';
import { ENROLLMENT_HEADERS, enrollmentToken, generateHostKeyPair, type HostKeyPair } from '@hostwatch/envelope';
import { waitFor } from '@hostwatch/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestService } from '../src/index.js';
import { startIngestWorld, statsMessage, type IngestWorld } from './support/ingest-world.js';
import { runIngestIn } from './support/run-ingest.js';

const SECRET = 'correct horse battery staple';

let world: IngestWorld;
let ingest: IngestService | undefined;
beforeEach(async () => {
  world = await startIngestWorld();
  ingest = await runIngestIn(world, { ENROLLMENT_TOKEN: SECRET, KEY_CACHE_MS: '0' });
});
afterEach(async () => {
  await ingest?.stop();
  await world.dispose();
});

async function settled(): Promise<void> {
  const jsm = await jetstreamManager(world.nc);
  await waitFor('every message handled', async () => {
    const info = await jsm.consumers.info(STREAM_NAME, 'ingest');
    return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
  });
}

function presented(key: HostKeyPair, token?: string): Record<string, string> {
  return {
    [ENROLLMENT_HEADERS.publicKey]: Buffer.from(key.publicKey).toString('base64url'),
    ...(token === undefined ? {} : { [ENROLLMENT_HEADERS.token]: token }),
  };
}

async function hostRow(hostId: string): Promise<{ status: string; keys: string[] } | undefined> {
  const host = await world.pool.query<{ status: string }>('SELECT status FROM hosts WHERE host_id = $1', [
    hostId,
  ]);
  if (!host.rows[0]) return undefined;
  const keys = await world.pool.query<{ key_id: string; status: string }>(
    'SELECT key_id, status FROM host_keys WHERE host_id = $1',
    [hostId],
  );
  return { status: host.rows[0].status, keys: keys.rows.map((k) => `${k.key_id}:${k.status}`) };
}

describe('enrollment', () => {
  it('records a new host as pending without storing its data, and stores what it sends once approved', async () => {
    const key = generateHostKeyPair('new-01');
    const first = statsMessage('new-01', 1);
    await world.publish(key, 'stats', first.id, first.body, presented(key));
    await settled();
    expect(await hostRow('new-01')).toEqual({ status: 'pending', keys: [`${key.keyId}:pending`] });
    expect(await world.count('host_stats')).toBe(0);
    expect(await world.count('quarantine')).toBe(0);

    // What `hostwatch hosts approve new-01` does.
    await world.pool.query(`UPDATE host_keys SET status = 'approved' WHERE host_id = 'new-01'`);
    await world.pool.query(`UPDATE hosts SET status = 'approved' WHERE host_id = 'new-01'`);
    const second = statsMessage('new-01', 2);
    await world.publish(key, 'stats', second.id, second.body);
    await settled();
    const stored = await world.pool.query<{ seq: string }>('SELECT seq FROM host_stats');
    expect(stored.rows).toEqual([{ seq: '2' }]);
  });

  it('approves a new host that carries a valid enrollment token and stores its first message', async () => {
    const key = generateHostKeyPair('new-02');
    const first = statsMessage('new-02', 1);
    await world.publish(
      key,
      'stats',
      first.id,
      first.body,
      presented(key, enrollmentToken(SECRET, 'new-02', key.keyId)),
    );
    await settled();
    expect(await hostRow('new-02')).toEqual({ status: 'approved', keys: [`${key.keyId}:approved`] });
    expect(await world.count('host_stats', `host_id = 'new-02'`)).toBe(1);
    const host = await world.pool.query<{ addresses: string[]; hostname: string }>(
      `SELECT addresses, hostname FROM hosts WHERE host_id = 'new-02'`,
    );
    expect(host.rows[0]).toEqual({ addresses: ['10.0.0.5', 'fe80::1'], hostname: 'new-02.example.net' });
  });

  it('keeps a host pending when its token was made for another key or secret', async () => {
    const key = generateHostKeyPair('new-03');
    const other = generateHostKeyPair('new-03');
    const a = statsMessage('new-03', 1);
    await world.publish(
      key,
      'stats',
      a.id,
      a.body,
      presented(key, enrollmentToken(SECRET, 'new-03', other.keyId)),
    );
    const b = statsMessage('new-03', 2);
    await world.publish(
      key,
      'stats',
      b.id,
      b.body,
      presented(key, enrollmentToken('another secret entirely', 'new-03', key.keyId)),
    );
    await settled();
    expect(await hostRow('new-03')).toEqual({ status: 'pending', keys: [`${key.keyId}:pending`] });
    expect(await world.count('host_stats')).toBe(0);
  });

  it('refuses a presented public key the message was not sealed with, recording nothing', async () => {
    const key = generateHostKeyPair('new-04');
    const liar = generateHostKeyPair('new-04');
    const a = statsMessage('new-04', 1);
    // The sender claims liar's key (id and public key) but sealed with key: it cannot authenticate.
    const sealed = world
      .sealer(key)
      .seal('hostwatch.new-04.stats', a.id, Buffer.from(JSON.stringify(a.body)));
    await world.publishRaw('hostwatch.new-04.stats', sealed.data, {
      ...sealed.headers,
      'Hostwatch-Host-Key': liar.keyId,
      ...presented(liar, enrollmentToken(SECRET, 'new-04', liar.keyId)),
    });
    await settled();
    expect(await hostRow('new-04')).toBeUndefined();
    const q = await world.pool.query<{ reason: string }>('SELECT reason FROM quarantine');
    expect(q.rows).toEqual([{ reason: 'tampered' }]);
  });

  it('does not let a token re-enroll a revoked host', async () => {
    const old = await world.addHost('gone-02', 'revoked');
    const key = generateHostKeyPair('gone-02');
    const a = statsMessage('gone-02', 1);
    await world.publish(
      key,
      'stats',
      a.id,
      a.body,
      presented(key, enrollmentToken(SECRET, 'gone-02', key.keyId)),
    );
    await settled();
    expect(await hostRow('gone-02')).toEqual({ status: 'revoked', keys: [`${old.keyId}:revoked`] });
    const q = await world.pool.query<{ reason: string }>('SELECT reason FROM quarantine');
    expect(q.rows).toEqual([{ reason: 'revoked_key' }]);
  });
});
