import { createCipheriv, randomFillSync } from 'node:crypto';
import { MAX_BODY_BYTES, parseSubject } from '@hostwatch/contract/light';
import { associatedData } from './associated-data.js';
import { ENVELOPE_OVERHEAD, ENVELOPE_VERSION, NONCE_BYTES, TAG_BYTES } from './envelope-format.js';
import { ENVELOPE_HEADERS } from './envelope-headers.js';
import { HostMismatchError, MalformedError, SubjectMismatchError, TooLargeError } from './envelope-error.js';
import { keyIdOf } from './key-id.js';
import type { CollectorPublicKey, HostKeyPair } from './key-pair.js';
import { deriveMessageKey } from './message-key.js';
import { messageIdProblem } from './message-id.js';
import { publicKeyFromRaw } from './x25519.js';

/** A sealed message: the bytes to publish and the headers to publish them with. */
export interface SealedMessage {
  /** `version (1) | nonce (12) | ciphertext | tag (16)`. */
  readonly data: Uint8Array;
  /** `Nats-Msg-Id` and the host and key ids, as named in `ENVELOPE_HEADERS`. */
  readonly headers: Record<string, string>;
}

function checkKeyId(what: string, key: { readonly keyId: string; readonly publicKey: Uint8Array }): void {
  if (keyIdOf(key.publicKey) !== key.keyId) {
    throw new RangeError(
      `${what} claims key id ${key.keyId} but its public key has id ${keyIdOf(key.publicKey)}`,
    );
  }
}

/**
 * Seals a host's messages for the collector. The message key is derived once, when the sealer
 * is built, from the host's private key and the collector's public key.
 */
export class Sealer {
  /** The host this sealer seals for. */
  readonly hostId: string;
  /** Id of the host key, sent in every message's headers. */
  readonly keyId: string;
  /** Id of the collector key sealed to, sent in every message's headers. */
  readonly collectorKeyId: string;
  readonly #key: Buffer;

  constructor(hostKey: HostKeyPair, collectorKey: CollectorPublicKey) {
    checkKeyId(`the key of host ${hostKey.hostId}`, hostKey);
    checkKeyId('the collector key', collectorKey);
    this.hostId = hostKey.hostId;
    this.keyId = hostKey.keyId;
    this.collectorKeyId = collectorKey.keyId;
    try {
      this.#key = deriveMessageKey({
        hostId: hostKey.hostId,
        hostKeyId: hostKey.keyId,
        hostPublicKey: hostKey.publicKey,
        collectorKeyId: collectorKey.keyId,
        collectorPublicKey: collectorKey.publicKey,
        privateKey: hostKey.privateKey,
        peerPublicKey: publicKeyFromRaw(collectorKey.publicKey),
      });
    } catch (err) {
      throw new Error(`collector key ${collectorKey.keyId} is not a usable X25519 public key`, {
        cause: err,
      });
    }
  }

  /**
   * Seals `body` to be published on `subject` (one of this host's subjects) with id `messageId`.
   * Throws {@link SubjectMismatchError}, {@link HostMismatchError}, {@link MalformedError} for a
   * bad message id, or {@link TooLargeError} for a body over `MAX_BODY_BYTES`.
   */
  seal(subject: string, messageId: string, body: Uint8Array): SealedMessage {
    const context = { hostId: this.hostId, keyId: this.keyId, messageId };
    const parsed = parseSubject(subject);
    if ('problem' in parsed) throw new SubjectMismatchError(parsed.problem, context);
    if (parsed.hostId !== this.hostId) {
      throw new HostMismatchError(
        `subject ${subject} belongs to host ${parsed.hostId}, not to ${this.hostId}`,
        context,
      );
    }
    const problem = messageIdProblem(messageId);
    if (problem) throw new MalformedError(problem, context);
    if (body.length > MAX_BODY_BYTES) {
      throw new TooLargeError(
        `body of message ${messageId} is ${body.length} bytes; at most ${MAX_BODY_BYTES} can be sealed`,
        context,
      );
    }

    const data = Buffer.allocUnsafe(ENVELOPE_OVERHEAD + body.length);
    data[0] = ENVELOPE_VERSION;
    randomFillSync(data, 1, NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, data.subarray(1, 1 + NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(
      associatedData(ENVELOPE_VERSION, [subject, this.hostId, messageId, this.keyId, this.collectorKeyId]),
    );
    let at = 1 + NONCE_BYTES;
    at += cipher.update(body).copy(data, at);
    at += cipher.final().copy(data, at);
    cipher.getAuthTag().copy(data, at);

    return {
      data,
      headers: {
        [ENVELOPE_HEADERS.messageId]: messageId,
        [ENVELOPE_HEADERS.hostId]: this.hostId,
        [ENVELOPE_HEADERS.hostKeyId]: this.keyId,
        [ENVELOPE_HEADERS.collectorKeyId]: this.collectorKeyId,
      },
    };
  }
}
