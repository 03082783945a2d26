import { randomBytes, type KeyObject } from 'node:crypto';
import { assertHostId } from '@hostwatch/contract/light';
import { keyIdOf } from './key-id.js';
import { X25519_KEY_BYTES, privateKeyFromRaw, rawPublicKey } from './x25519.js';

/** The public half of a host's key: what the collector registers for the host. */
export interface HostPublicKey {
  readonly kind: 'host';
  readonly hostId: string;
  readonly keyId: string;
  /** Raw 32-byte X25519 public key. */
  readonly publicKey: Uint8Array;
  readonly createdAt: Date;
}

/** The public half of the collector's key: what every host seals to. */
export interface CollectorPublicKey {
  readonly kind: 'collector';
  readonly keyId: string;
  /** Raw 32-byte X25519 public key. */
  readonly publicKey: Uint8Array;
  readonly createdAt: Date;
}

/** The public half of either side's key. */
export type PublicKeyInfo = HostPublicKey | CollectorPublicKey;

/** A host's X25519 key pair; the private key never leaves its `KeyObject` unless written to a key file. */
export interface HostKeyPair extends HostPublicKey {
  readonly privateKey: KeyObject;
}

/** The collector's X25519 key pair, shared by ingest, alerter and tail. */
export interface CollectorKeyPair extends CollectorPublicKey {
  readonly privateKey: KeyObject;
}

/** Either side's key pair. */
export type KeyPair = HostKeyPair | CollectorKeyPair;

// A private X25519 key is any 32 random bytes (RFC 7748 clamps them when it multiplies), so it
// is made from randomBytes and imported rather than with generateKeyPairSync. Node 20's key
// generation jobs can deadlock the process: one finalised by the garbage collector while another
// key is being exported waits on a lock the exporting thread holds (seen after some thousands of
// keys in `hostwatch simulate` and the benchmarks: main thread parked in ~KeyGenJob for good).
function generate(): { publicKey: Buffer; privateKey: KeyObject; keyId: string } {
  const privateKey = privateKeyFromRaw(randomBytes(X25519_KEY_BYTES));
  const publicKey = rawPublicKey(privateKey);
  return { publicKey, privateKey, keyId: keyIdOf(publicKey) };
}

/** Generates a fresh key pair for host `hostId` (a valid host id, else `InvalidHostIdError`). */
export function generateHostKeyPair(hostId: string, createdAt: Date = new Date()): HostKeyPair {
  return { kind: 'host', hostId: assertHostId(hostId), ...generate(), createdAt };
}

/** Generates a fresh key pair for the collector. */
export function generateCollectorKeyPair(createdAt: Date = new Date()): CollectorKeyPair {
  return { kind: 'collector', ...generate(), createdAt };
}

/** The public half of `key`, without its private key, safe to hand to the other side. */
export function publicKeyInfo(key: HostKeyPair | HostPublicKey): HostPublicKey;
export function publicKeyInfo(key: CollectorKeyPair | CollectorPublicKey): CollectorPublicKey;
export function publicKeyInfo(key: KeyPair | PublicKeyInfo): PublicKeyInfo;
export function publicKeyInfo(key: KeyPair | PublicKeyInfo): PublicKeyInfo {
  const { keyId, publicKey, createdAt } = key;
  return key.kind === 'host'
    ? { kind: 'host', hostId: key.hostId, keyId, publicKey, createdAt }
    : { kind: 'collector', keyId, publicKey, createdAt };
}
