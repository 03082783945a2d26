import type { KeyRegistry, KeyStatus, RegisteredKey } from '@hostwatch/envelope';
import type pg from 'pg';

interface CachedKey {
  readonly key: RegisteredKey | undefined;
  readonly until: number;
}

/** Most cached lookups kept; past it the cache starts over (a bound, not an LRU). */
const MAX_CACHED = 500_000;

function effectiveStatus(hostStatus: string, keyStatus: string): KeyStatus {
  if (hostStatus === 'revoked' || keyStatus === 'revoked') return 'revoked';
  if (hostStatus === 'approved' && keyStatus === 'approved') return 'approved';
  return 'pending';
}

/**
 * The host key registry in PostgreSQL (`hosts` joined with `host_keys`). A key is approved only
 * when both it and its host are; a revoked host revokes all its keys. Answers are cached for
 * `cacheMs`, and {@link PgKeyRegistry.prefetch} loads every key of a batch in one query, so the
 * hot path asks the database once per batch, not once per message.
 */
export class PgKeyRegistry implements KeyRegistry {
  readonly #pool: pg.Pool;
  readonly #cacheMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedKey>();

  constructor(pool: pg.Pool, options: { cacheMs: number; now?: () => number }) {
    this.#pool = pool;
    this.#cacheMs = options.cacheMs;
    this.#now = options.now ?? Date.now;
  }

  /** Loads the keys not freshly cached among `wanted` (host id, key id) in one query. */
  async prefetch(wanted: Iterable<readonly [string, string]>): Promise<void> {
    const now = this.#now();
    const hosts: string[] = [];
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const [hostId, keyId] of wanted) {
      const id = `${hostId}\0${keyId}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const cached = this.#cache.get(id);
      if (cached && cached.until > now) continue;
      hosts.push(hostId);
      keys.push(keyId);
    }
    if (hosts.length === 0) return;
    const { rows } = await this.#pool.query<{
      host_id: string;
      key_id: string;
      public_key: Buffer;
      key_status: string;
      host_status: string;
    }>({
      name: 'ingest_key_lookup_v1',
      text: `SELECT k.host_id, k.key_id, k.public_key, k.status AS key_status, h.status AS host_status
               FROM unnest($1::text[], $2::text[]) AS w(host_id, key_id)
               JOIN host_keys k ON k.host_id = w.host_id AND k.key_id = w.key_id
               JOIN hosts h ON h.host_id = k.host_id`,
      values: [hosts, keys],
    });
    if (this.#cache.size + hosts.length > MAX_CACHED) this.#cache.clear();
    const until = this.#now() + this.#cacheMs;
    const found = new Map(rows.map((r) => [`${r.host_id}\0${r.key_id}`, r]));
    for (let i = 0; i < hosts.length; i++) {
      const id = `${hosts[i]}\0${keys[i]}`;
      const row = found.get(id);
      this.#cache.set(id, {
        until,
        key: row
          ? {
              publicKey: new Uint8Array(row.public_key),
              status: effectiveStatus(row.host_status, row.key_status),
            }
          : undefined,
      });
    }
  }

  /** Forgets what is cached about one host's keys, after this process changed them. */
  forget(hostId: string): void {
    for (const id of this.#cache.keys()) if (id.startsWith(`${hostId}\0`)) this.#cache.delete(id);
  }

  /** The key `keyId` of host `hostId` with its effective status, or undefined when it is not registered. */
  async lookup(hostId: string, keyId: string): Promise<RegisteredKey | undefined> {
    const id = `${hostId}\0${keyId}`;
    const cached = this.#cache.get(id);
    if (cached && cached.until > this.#now()) return cached.key;
    await this.prefetch([[hostId, keyId]]);
    return this.#cache.get(id)?.key;
  }
}
