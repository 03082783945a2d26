/** Enrollment state of a host key, as the `host_keys` table keeps it. */
export type KeyStatus = 'approved' | 'pending' | 'revoked';

/** A host key as the collector knows it. */
export interface RegisteredKey {
  /** Raw 32-byte X25519 public key. */
  readonly publicKey: Uint8Array;
  readonly status: KeyStatus;
}

/**
 * Where an opener looks up host keys: in memory for tests and the CLI, in PostgreSQL for ingest.
 * Consulted on every message, so that a revocation takes effect at the next message; a rejected
 * promise is treated as transient and passed on unchanged.
 */
export interface KeyRegistry {
  /** The key `keyId` of host `hostId`, or undefined when there is none. */
  lookup(hostId: string, keyId: string): RegisteredKey | undefined | Promise<RegisteredKey | undefined>;
}
