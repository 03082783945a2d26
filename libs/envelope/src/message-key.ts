import { diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';
import { ENVELOPE_VERSION } from './envelope-format.js';

/** The parties a message key belongs to; each side supplies its own private key and the other's public key. */
export interface MessageKeyParties {
  readonly hostId: string;
  readonly hostKeyId: string;
  readonly hostPublicKey: Uint8Array;
  readonly collectorKeyId: string;
  readonly collectorPublicKey: Uint8Array;
  /** This side's private key: the host's when sealing, the collector's when opening. */
  readonly privateKey: KeyObject;
  /** The other side's public key, as a `KeyObject`. */
  readonly peerPublicKey: KeyObject;
}

/**
 * Derives the AES-256 key of one host key and one collector key: HKDF-SHA256 over their X25519
 * shared secret, salted with both raw public keys (host first) and with an info string that binds
 * the envelope version, the host id and both key ids. Host and collector arrive at the same key.
 * Throws when the peer key is a low-order point (OpenSSL refuses an all-zero shared secret).
 */
export function deriveMessageKey(parties: MessageKeyParties): Buffer {
  const shared = diffieHellman({ privateKey: parties.privateKey, publicKey: parties.peerPublicKey });
  const salt = Buffer.concat([parties.hostPublicKey, parties.collectorPublicKey]);
  const info = `hostwatch-envelope v${ENVELOPE_VERSION}\0${parties.hostId}\0${parties.hostKeyId}\0${parties.collectorKeyId}`;
  const key = Buffer.from(hkdfSync('sha256', shared, salt, info, 32));
  shared.fill(0);
  return key;
}
