import { assertHostId } from '@hostwatch/contract/light';
import { keyIdOf } from './key-id.js';
import type { KeyRegistry, KeyStatus, RegisteredKey } from './key-registry.js';
import { X25519_KEY_BYTES } from './x25519.js';

/** A {@link KeyRegistry} held in memory, for tests and the CLI. */
export class MemoryKeyRegistry implements KeyRegistry {
  readonly #keys = new Map<string, RegisteredKey>();

  /** Registers `publicKey` for host `hostId` with `status` (approved unless told) and returns its key id. */
  add(
    key: { readonly hostId: string; readonly publicKey: Uint8Array },
    status: KeyStatus = 'approved',
  ): string {
    assertHostId(key.hostId);
    if (key.publicKey.length !== X25519_KEY_BYTES) {
      throw new RangeError(`an X25519 public key is ${X25519_KEY_BYTES} bytes, not ${key.publicKey.length}`);
    }
    const keyId = keyIdOf(key.publicKey);
    this.#keys.set(`${key.hostId}\0${keyId}`, { publicKey: Uint8Array.from(key.publicKey), status });
    return keyId;
  }

  /** Changes the status of a registered key: approve, or revoke. */
  setStatus(hostId: string, keyId: string, status: KeyStatus): void {
    const id = `${hostId}\0${keyId}`;
    const key = this.#keys.get(id);
    if (!key) throw new Error(`host ${hostId} has no key ${keyId}`);
    this.#keys.set(id, { publicKey: key.publicKey, status });
  }

  /** The key `keyId` of host `hostId`, or undefined. */
  lookup(hostId: string, keyId: string): RegisteredKey | undefined {
    return this.#keys.get(`${hostId}\0${keyId}`);
  }
}
