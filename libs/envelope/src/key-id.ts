import { createHash } from 'node:crypto';

/** Length in hex characters of a key id. */
export const KEY_ID_LENGTH = 16;

const KEY_ID = /^[0-9a-f]{16}$/;

/**
 * The id of an X25519 public key: the first 16 hex characters of SHA-256 over its raw 32 bytes.
 * It is stable for the key and short enough for a header, so a host can hold several keys while
 * they rotate and every message names the one it was sealed with.
 */
export function keyIdOf(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, KEY_ID_LENGTH);
}

/** Whether `value` has the form of a key id (it may still name no known key). */
export function isKeyId(value: string): boolean {
  return KEY_ID.test(value);
}
