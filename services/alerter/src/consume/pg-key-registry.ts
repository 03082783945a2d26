import type { Kysely } from 'kysely';
import type { Database } from '@hostwatch/db';
import type { KeyRegistry, RegisteredKey } from '@hostwatch/envelope';

/**
 * Host keys from the `host_keys` table. An answer is kept for `cacheMs` (default 2 s), so a
 * batch of messages costs one lookup per host key, and an approval or revocation takes effect
 * within that time. {@link prefetch} also renews answers past half that age: one it left alone
 * could expire while its batch is being opened, and every message of that host would then cost
 * a query of its own (under a backlog whose rounds took about 2 s, thousands per batch, which
 * slowed the rounds further).
 */
export class PgKeyRegistry implements KeyRegistry {
  readonly #cache = new Map<string, { readonly key: RegisteredKey | undefined; readonly at: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly cacheMs = 2_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Looks up every `[hostId, keyId]` pair not cached or cached for half its time in one query, so opening a batch needs no further reads. */
  async prefetch(pairs: readonly (readonly [string, string])[]): Promise<void> {
    const now = this.clock();
    const wanted = new Map<string, readonly [string, string]>();
    for (const [hostId, keyId] of pairs) {
      const id = `${hostId}\0${keyId}`;
      const cached = this.#cache.get(id);
      if (!cached || now - cached.at >= this.cacheMs / 2) wanted.set(id, [hostId, keyId]);
    }
    if (wanted.size === 0) return;
    const hostIds = [...new Set([...wanted.values()].map(([h]) => h))];
    const rows = await this.db.selectFrom('host_keys').select(['host_id', 'key_id', 'public_key', 'status']).where('host_id', 'in', hostIds).execute();
    if (this.#cache.size > 100_000) this.#cache.clear();
    for (const id of wanted.keys()) this.#cache.set(id, { key: undefined, at: now });
    for (const row of rows) this.#cache.set(`${row.host_id}\0${row.key_id}`, { key: { publicKey: new Uint8Array(row.public_key), status: row.status }, at: now });
  }

  /** The key `keyId` of host `hostId` with its enrollment status, or undefined. */
  async lookup(hostId: string, keyId: string): Promise<RegisteredKey | undefined> {
    const id = `${hostId}\0${keyId}`;
    const now = this.clock();
    const cached = this.#cache.get(id);
    if (cached && now - cached.at < this.cacheMs) return cached.key;
    const row = await this.db
      .selectFrom('host_keys')
      .select(['public_key', 'status'])
      .where('host_id', '=', hostId)
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    const key = row ? { publicKey: new Uint8Array(row.public_key), status: row.status } : undefined;
    if (this.#cache.size > 100_000) this.#cache.clear();
    this.#cache.set(id, { key, at: now });
    return key;
  }
}
