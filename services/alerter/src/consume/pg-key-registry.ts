import type { Kysely } from 'kysely';
import type { Database } from '@hostwatch/db';
import type { KeyRegistry, RegisteredKey } from '@hostwatch/envelope';

// One host key's answer; a host's answers are chained (a host has more than one key only while it rotates).
interface Answer {
  readonly hostId: string;
  readonly keyId: string;
  key: RegisteredKey | undefined;
  at: number;
  /** Asked for by the prefetch under way. */
  due: boolean;
  next: Answer | undefined;
}

// Hosts whose answers are kept at most; past it the cache starts over.
const MAX_HOSTS = 100_000;

/**
 * Host keys from the `host_keys` table. An answer is kept for `cacheMs` (default 2 s), so a
 * batch of messages costs one lookup per host key, and an approval or revocation takes effect
 * within that time. {@link prefetch} also renews answers past half that age: one it left alone
 * could expire while its batch is being opened, and every message of that host would then cost
 * a query of its own (under a backlog whose rounds took about 2 s, thousands per batch, which
 * slowed the rounds further). A renewal reads only the status: a key id names its public key
 * (it is the key's hash), so the key read the first time stays right. Answers are renewed in
 * place and looked up by host id without building a key string: the cache is read at every
 * message and renewed every second, and new objects for each would live long enough to be
 * promoted, and then cost the old generation's collector.
 */
export class PgKeyRegistry implements KeyRegistry {
  readonly #cache = new Map<string, Answer>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly cacheMs = 2_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Looks up every `[hostId, keyId]` pair not cached or cached for half its time, in one query
   * (two when some hosts are new and others only due for renewal), so opening a batch needs no
   * further reads.
   */
  async prefetch(pairs: readonly (readonly [string, string])[]): Promise<void> {
    const now = this.clock();
    const unknown: Answer[] = [];
    const stale: Answer[] = [];
    for (const [hostId, keyId] of pairs) {
      const answer = this.#find(hostId, keyId) ?? this.#add(hostId, keyId);
      if (answer.due) continue;
      if (answer.key === undefined) unknown.push(answer);
      else if (now - answer.at >= this.cacheMs / 2) stale.push(answer);
      else continue;
      answer.due = true;
    }
    try {
      if (unknown.length > 0) {
        const rows = await this.db.selectFrom('host_keys').select(['host_id', 'key_id', 'public_key', 'status']).where('host_id', 'in', this.#hostsOf(unknown)).execute();
        for (const row of rows) {
          const answer = this.#find(row.host_id, row.key_id);
          if (answer?.due) this.#settle(answer, { publicKey: new Uint8Array(row.public_key), status: row.status }, now);
        }
      }
      if (stale.length > 0) {
        const rows = await this.db.selectFrom('host_keys').select(['host_id', 'key_id', 'status']).where('host_id', 'in', this.#hostsOf(stale)).execute();
        for (const row of rows) {
          const answer = this.#find(row.host_id, row.key_id);
          const known = answer?.key;
          if (answer?.due && known) this.#settle(answer, known.status === row.status ? known : { publicKey: known.publicKey, status: row.status }, now);
        }
      }
      // A pair asked for without a row has no key.
      for (const answer of [...unknown, ...stale]) if (answer.due) this.#settle(answer, undefined, now);
    } finally {
      for (const answer of unknown) answer.due = false;
      for (const answer of stale) answer.due = false;
    }
  }

  /** The key `keyId` of host `hostId` with its enrollment status, or undefined; without a query while the answer is fresh. */
  lookup(hostId: string, keyId: string): RegisteredKey | undefined | Promise<RegisteredKey | undefined> {
    const answer = this.#find(hostId, keyId);
    if (answer && this.clock() - answer.at < this.cacheMs) return answer.key;
    return this.#read(hostId, keyId);
  }

  async #read(hostId: string, keyId: string): Promise<RegisteredKey | undefined> {
    const now = this.clock();
    const row = await this.db
      .selectFrom('host_keys')
      .select(['public_key', 'status'])
      .where('host_id', '=', hostId)
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    const key = row ? { publicKey: new Uint8Array(row.public_key), status: row.status } : undefined;
    this.#settle(this.#find(hostId, keyId) ?? this.#add(hostId, keyId), key, now);
    return key;
  }

  #find(hostId: string, keyId: string): Answer | undefined {
    for (let answer = this.#cache.get(hostId); answer; answer = answer.next) if (answer.keyId === keyId) return answer;
    return undefined;
  }

  // A new answer, not yet known: as good as absent until settled.
  #add(hostId: string, keyId: string): Answer {
    const first = this.#cache.get(hostId);
    if (!first && this.#cache.size >= MAX_HOSTS) this.#cache.clear();
    const answer: Answer = { hostId, keyId, key: undefined, at: Number.NEGATIVE_INFINITY, due: false, next: first };
    this.#cache.set(hostId, answer);
    return answer;
  }

  #settle(answer: Answer, key: RegisteredKey | undefined, at: number): void {
    answer.key = key;
    answer.at = at;
    answer.due = false;
  }

  #hostsOf(answers: readonly Answer[]): string[] {
    const hosts = new Set<string>();
    for (const answer of answers) hosts.add(answer.hostId);
    return [...hosts];
  }
}
