import type { HostKeyPair } from '@hostwatch/envelope';
import pg from 'pg';

const CHUNK = 10_000;

/**
 * Records `hosts` and their keys as approved in the key registry at `databaseUrl`, as an operator
 * running `hostwatch hosts approve` would, so ingest stores what a simulated fleet sends. A host
 * that exists keeps its status and gains the new key.
 */
export async function registerHosts(databaseUrl: string, hosts: readonly HostKeyPair[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'hostwatch simulate' });
  await client.connect();
  try {
    for (let i = 0; i < hosts.length; i += CHUNK) {
      const chunk = hosts.slice(i, i + CHUNK);
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO hosts (host_id, status, approved_at) SELECT unnest($1::text[]), 'approved', now()
         ON CONFLICT (host_id) DO NOTHING`,
        [chunk.map((k) => k.hostId)],
      );
      await client.query(
        `INSERT INTO host_keys (host_id, key_id, public_key, status)
         SELECT h, k, p, 'approved' FROM unnest($1::text[], $2::text[], $3::bytea[]) AS t(h, k, p)
         ON CONFLICT (host_id, key_id) DO NOTHING`,
        [chunk.map((k) => k.hostId), chunk.map((k) => k.keyId), chunk.map((k) => Buffer.from(k.publicKey))],
      );
      await client.query('COMMIT');
    }
  } finally {
    await client.end();
  }
}
