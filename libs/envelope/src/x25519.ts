import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

// DER prefixes of an X25519 key (RFC 8410): Node imports raw keys through these or through JWK.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Bytes in a raw X25519 public or private key. */
export const X25519_KEY_BYTES = 32;

/** Imports a raw 32-byte X25519 private key. */
export function privateKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== X25519_KEY_BYTES)
    throw new RangeError(`an X25519 private key is 32 bytes, not ${raw.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/**
 * Imports a raw 32-byte X25519 public key. Through JWK (RFC 8037), whose `x` is the raw key:
 * OpenSSL 3's DER decoders take about 130 µs per key here, JWK about 20, and a collector imports
 * one key per host it derives a message key for.
 */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== X25519_KEY_BYTES)
    throw new RangeError(`an X25519 public key is 32 bytes, not ${raw.length}`);
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
}

/** The last 32 bytes of a DER encoding that starts with `prefix`. */
function rawFromDer(der: Buffer, prefix: Buffer, what: string): Buffer {
  if (der.length !== prefix.length + X25519_KEY_BYTES || !der.subarray(0, prefix.length).equals(prefix))
    throw new TypeError(`not an X25519 ${what}`);
  return Buffer.from(der.subarray(prefix.length));
}

/** The raw 32 bytes of an X25519 public key, or of the public half of a private key. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'x25519')
    throw new TypeError(`not an X25519 key: ${String(key.asymmetricKeyType)}`);
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return rawFromDer(publicKey.export({ format: 'der', type: 'spki' }), SPKI_PREFIX, 'public key');
}

/** The raw 32 bytes of an X25519 private key. */
export function rawPrivateKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'x25519' || key.type !== 'private')
    throw new TypeError('not an X25519 private key');
  return rawFromDer(key.export({ format: 'der', type: 'pkcs8' }), PKCS8_PREFIX, 'private key');
}
