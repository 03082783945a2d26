import type pg from 'pg';
import type { Enrollment } from '../verify/verdict.js';

/** What a batch says about one host: that it was heard from, and what its latest stats sample named. */
export interface HostSighting {
  readonly hostId: string;
  readonly addresses?: readonly string[] | undefined;
  readonly hostname?: string | undefined;
}

// last_seen is written at most every 30 s per host: at a 10 s stats interval that saves two
// row versions in three on the hottest row of the schema.
const TOUCH_HOSTS = `
UPDATE hosts AS h SET
  last_seen = greatest(h.last_seen, now()),
  addresses = CASE WHEN v.addresses IS NULL THEN h.addresses ELSE ARRAY(SELECT jsonb_array_elements_text(v.addresses::jsonb)) END,
  hostname = coalesce(v.hostname, h.hostname)
FROM unnest($1::text[], $2::text[], $3::text[]) AS v(host_id, addresses, hostname)
WHERE h.host_id = v.host_id
  AND (h.last_seen < now() - interval '30 seconds'
    OR (v.addresses IS NOT NULL AND h.addresses IS DISTINCT FROM ARRAY(SELECT jsonb_array_elements_text(v.addresses::jsonb)))
    OR (v.hostname IS NOT NULL AND h.hostname IS DISTINCT FROM v.hostname))`;

/** Records that hosts were heard from: last seen, and the addresses and name of their latest sample. */
export async function touchHosts(
  client: pg.ClientBase,
  sightings: ReadonlyMap<string, HostSighting>,
): Promise<void> {
  if (sightings.size === 0) return;
  const ids: string[] = [];
  const addresses: (string | null)[] = [];
  const names: (string | null)[] = [];
  for (const id of [...sightings.keys()].sort()) {
    const s = sightings.get(id) as HostSighting;
    ids.push(id);
    addresses.push(s.addresses ? JSON.stringify(s.addresses) : null);
    names.push(s.hostname ?? null);
  }
  await client.query({ name: 'ingest_touch_hosts_v1', text: TOUCH_HOSTS, values: [ids, addresses, names] });
}

/**
 * Records host keys that authenticated a message: an approved enrollment (valid token) approves
 * the key and a pending host, a pending one records host and key as waiting for `hosts approve`.
 * A revoked host or key is never changed here.
 */
export async function recordEnrollments(
  client: pg.ClientBase,
  enrollments: readonly Enrollment[],
): Promise<void> {
  const sorted = [...enrollments].sort((a, b) =>
    a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : a.keyId < b.keyId ? -1 : 1,
  );
  for (const e of sorted) {
    const approved = e.status === 'approved';
    await client.query(
      `INSERT INTO hosts (host_id, status, approved_at) VALUES ($1, $2, CASE WHEN $2 = 'approved' THEN now() END)
       ON CONFLICT (host_id) DO UPDATE SET
         last_seen = greatest(hosts.last_seen, now()),
         status = CASE WHEN hosts.status = 'pending' AND $2 = 'approved' THEN 'approved' ELSE hosts.status END,
         approved_at = CASE WHEN hosts.status = 'pending' AND $2 = 'approved' THEN now() ELSE hosts.approved_at END`,
      [e.hostId, approved ? 'approved' : 'pending'],
    );
    await client.query(
      `INSERT INTO host_keys (host_id, key_id, public_key, status) VALUES ($1, $2, $3, $4)
       ON CONFLICT (host_id, key_id) DO UPDATE SET
         status = CASE WHEN host_keys.status = 'pending' AND $4 = 'approved' THEN 'approved' ELSE host_keys.status END`,
      [e.hostId, e.keyId, Buffer.from(e.publicKey), approved ? 'approved' : 'pending'],
    );
  }
}

/** Records that hosts with keys waiting for approval were heard from (their data is not stored). */
export async function touchPendingHosts(client: pg.ClientBase, hostIds: ReadonlySet<string>): Promise<void> {
  if (hostIds.size === 0) return;
  await client.query(
    `UPDATE hosts SET last_seen = greatest(last_seen, now())
      WHERE host_id = ANY($1::text[]) AND last_seen < now() - interval '30 seconds'`,
    [[...hostIds].sort()],
  );
}
