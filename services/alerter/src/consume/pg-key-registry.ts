import type { Kysely } from 'kysely';
import type { Database } from '@hostwatch/db';
import type { KeyRegistry, RegisteredKey } from '@hostwatch/envelope';

/** Host keys from the `host_keys` table, looked up on every message so a revocation takes effect at once. */
export class PgKeyRegistry implements KeyRegistry {
  constructor(private readonly db: Kysely<Database>) {}

  /** The key `keyId` of host `hostId` with its enrollment status, or undefined. */
  async lookup(hostId: string, keyId: string): Promise<RegisteredKey | undefined> {
    const row = await this.db
      .selectFrom('host_keys')
      .select(['public_key', 'status'])
      .where('host_id', '=', hostId)
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    return row ? { publicKey: new Uint8Array(row.public_key), status: row.status } : undefined;
  }
}
