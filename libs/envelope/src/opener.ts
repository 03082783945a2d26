import { createDecipheriv } from 'node:crypto';
import { hostIdProblem, parseSubject, type MessageKind } from '@hostwatch/contract/light';
import { associatedData } from './associated-data.js';
import {
  ENVELOPE_OVERHEAD,
  ENVELOPE_VERSION,
  MAX_SEALED_BYTES,
  NONCE_BYTES,
  TAG_BYTES,
} from './envelope-format.js';
import { ENVELOPE_HEADERS, headerValue, type HeaderSource } from './envelope-headers.js';
import {
  HostMismatchError,
  MalformedError,
  PendingKeyError,
  RevokedKeyError,
  SubjectMismatchError,
  TamperedError,
  TooLargeError,
  UnknownKeyError,
  type EnvelopeErrorContext,
} from './envelope-error.js';
import { isKeyId, keyIdOf } from './key-id.js';
import type { CollectorKeyPair } from './key-pair.js';
import type { KeyRegistry, RegisteredKey } from './key-registry.js';
import { deriveMessageKey } from './message-key.js';
import { messageIdProblem } from './message-id.js';
import { publicKeyFromRaw } from './x25519.js';

/** A message that opened: authentic, from an approved host key, on the subject it was sealed for. */
export interface OpenedMessage {
  readonly subject: string;
  readonly hostId: string;
  readonly kind: MessageKind;
  readonly messageId: string;
  /** Id of the host key the message was sealed with. */
  readonly keyId: string;
  /** Id of the collector key it was sealed to. */
  readonly collectorKeyId: string;
  /** The plaintext body. */
  readonly body: Uint8Array;
}

/** What an {@link Opener} needs: the collector's key pairs and where host keys are looked up. */
export interface OpenerOptions {
  /** The current collector key, plus any older ones still in use by hosts while keys rotate. */
  readonly collectorKeys: CollectorKeyPair | readonly CollectorKeyPair[];
  readonly registry: KeyRegistry;
}

interface EnvelopeHeaders {
  readonly messageId: string;
  readonly hostId: string;
  readonly hostKeyId: string;
  readonly collectorKeyId: string;
}

function keyIdProblem(value: string): string | undefined {
  return isKeyId(value) ? undefined : `${JSON.stringify(value)} is not a key id`;
}

const HEADER_RULES = [
  ['messageId', ENVELOPE_HEADERS.messageId, messageIdProblem],
  ['hostId', ENVELOPE_HEADERS.hostId, hostIdProblem],
  ['hostKeyId', ENVELOPE_HEADERS.hostKeyId, keyIdProblem],
  ['collectorKeyId', ENVELOPE_HEADERS.collectorKeyId, keyIdProblem],
] as const;

function readHeaders(headers: HeaderSource): EnvelopeHeaders {
  const messageId = headerValue(headers, ENVELOPE_HEADERS.messageId);
  const hostId = headerValue(headers, ENVELOPE_HEADERS.hostId);
  const hostKeyId = headerValue(headers, ENVELOPE_HEADERS.hostKeyId);
  const collectorKeyId = headerValue(headers, ENVELOPE_HEADERS.collectorKeyId);
  if (
    messageId !== undefined &&
    hostId !== undefined &&
    hostKeyId !== undefined &&
    collectorKeyId !== undefined &&
    isKeyId(hostKeyId) &&
    isKeyId(collectorKeyId) &&
    hostIdProblem(hostId) === undefined &&
    messageIdProblem(messageId) === undefined
  ) {
    return { messageId, hostId, hostKeyId, collectorKeyId };
  }
  throw malformedHeaders({ messageId, hostId, hostKeyId, collectorKeyId });
}

/** The error for headers that failed {@link readHeaders}: every problem, and the values that were valid. */
function malformedHeaders(values: {
  readonly [K in keyof EnvelopeHeaders]: string | undefined;
}): MalformedError {
  const problems: string[] = [];
  const valid: { -readonly [K in keyof EnvelopeHeaders]?: string } = {};
  for (const [field, name, problemOf] of HEADER_RULES) {
    const value = values[field];
    const problem = value === undefined ? undefined : problemOf(value);
    if (value === undefined) problems.push(`header ${name} is missing`);
    else if (problem) problems.push(`header ${name}: ${problem}`);
    else valid[field] = value;
  }
  return new MalformedError(problems.join('; '), {
    hostId: valid.hostId,
    keyId: valid.hostKeyId,
    messageId: valid.messageId,
  });
}

/**
 * Opens messages sealed by hosts, on the collector side. Each host key's message key is derived
 * once, at its first message, and kept; the registry is still asked for the key's status on
 * every message, so a revocation takes effect at once.
 */
export class Opener {
  readonly #collectors: ReadonlyMap<string, CollectorKeyPair>;
  readonly #registry: KeyRegistry;
  readonly #keys = new Map<string, Buffer>();
  #derivations = 0;

  constructor(options: OpenerOptions) {
    const pairs: readonly CollectorKeyPair[] = Array.isArray(options.collectorKeys)
      ? options.collectorKeys
      : [options.collectorKeys as CollectorKeyPair];
    if (pairs.length === 0) throw new RangeError('an opener needs at least one collector key');
    const collectors = new Map<string, CollectorKeyPair>();
    for (const pair of pairs) {
      if (keyIdOf(pair.publicKey) !== pair.keyId) {
        throw new RangeError(
          `collector key ${pair.keyId} does not match its public key (id ${keyIdOf(pair.publicKey)})`,
        );
      }
      collectors.set(pair.keyId, pair);
    }
    this.#collectors = collectors;
    this.#registry = options.registry;
  }

  /** How many message keys this opener has derived: one per host key and collector key seen. */
  get derivations(): number {
    return this.#derivations;
  }

  /**
   * Opens `data` received on `subject` with `headers`. Resolves to the message, or rejects with an
   * `EnvelopeError` saying why it can never open; any other rejection (the registry failed) is
   * transient. The same bytes open to the same message id each time they are delivered.
   */
  async open(data: Uint8Array, headers: HeaderSource, subject: string): Promise<OpenedMessage> {
    if (data.length > MAX_SEALED_BYTES) {
      throw new TooLargeError(
        `sealed message is ${data.length} bytes; at most ${MAX_SEALED_BYTES} are accepted`,
      );
    }
    if (data.length < ENVELOPE_OVERHEAD) {
      throw new MalformedError(
        `sealed message is ${data.length} bytes; even an empty body takes ${ENVELOPE_OVERHEAD}`,
      );
    }
    if (data[0] !== ENVELOPE_VERSION) {
      throw new MalformedError(
        `sealed message has envelope version ${String(data[0])}; this build opens version ${ENVELOPE_VERSION}`,
      );
    }
    const { messageId, hostId, hostKeyId, collectorKeyId } = readHeaders(headers);
    const context: EnvelopeErrorContext = { hostId, keyId: hostKeyId, messageId };

    const parsed = parseSubject(subject);
    if ('problem' in parsed) throw new SubjectMismatchError(parsed.problem, context);
    if (parsed.hostId !== hostId) {
      throw new HostMismatchError(
        `message ${messageId} names host ${hostId} but arrived on ${subject}`,
        context,
      );
    }

    const collector = this.#collectors.get(collectorKeyId);
    if (!collector) {
      throw new UnknownKeyError(
        `message ${messageId} of host ${hostId} is sealed to collector key ${collectorKeyId}, which this collector does not hold`,
        context,
      );
    }
    const registered = await this.#registry.lookup(hostId, hostKeyId);
    const cacheKey = `${hostId}\0${hostKeyId}\0${collectorKeyId}`;
    if (!registered) throw new UnknownKeyError(`host ${hostId} has no registered key ${hostKeyId}`, context);
    if (registered.status === 'revoked') {
      this.#keys.delete(cacheKey);
      throw new RevokedKeyError(`key ${hostKeyId} of host ${hostId} is revoked`, context);
    }

    let key = this.#keys.get(cacheKey);
    if (!key) {
      key = this.#derive(hostId, hostKeyId, registered, collector, context);
      this.#keys.set(cacheKey, key);
    }

    const view = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const end = view.length - TAG_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', key, view.subarray(1, 1 + NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(
      associatedData(ENVELOPE_VERSION, [subject, hostId, messageId, hostKeyId, collectorKeyId]),
    );
    decipher.setAuthTag(view.subarray(end));
    const body = decipher.update(view.subarray(1 + NONCE_BYTES, end));
    try {
      decipher.final();
    } catch (err) {
      throw new TamperedError(`message ${messageId} of host ${hostId} on ${subject} failed authentication`, {
        ...context,
        cause: err,
      });
    }

    if (registered.status === 'pending') {
      throw new PendingKeyError(`key ${hostKeyId} of host ${hostId} is waiting for approval`, context);
    }
    if (registered.status !== 'approved') {
      throw new UnknownKeyError(
        `key ${hostKeyId} of host ${hostId} has unknown status ${JSON.stringify(registered.status)}`,
        context,
      );
    }
    return { subject, hostId, kind: parsed.kind, messageId, keyId: hostKeyId, collectorKeyId, body };
  }

  #derive(
    hostId: string,
    hostKeyId: string,
    registered: RegisteredKey,
    collector: CollectorKeyPair,
    context: EnvelopeErrorContext,
  ): Buffer {
    // The key id names the public key; a registry answering with another key is refused, not trusted.
    if (registered.publicKey.length !== 32 || keyIdOf(registered.publicKey) !== hostKeyId) {
      throw new UnknownKeyError(
        `the registry's key ${hostKeyId} of host ${hostId} is not the public key with that id`,
        context,
      );
    }
    let key: Buffer;
    try {
      key = deriveMessageKey({
        hostId,
        hostKeyId,
        hostPublicKey: registered.publicKey,
        collectorKeyId: collector.keyId,
        collectorPublicKey: collector.publicKey,
        privateKey: collector.privateKey,
        peerPublicKey: publicKeyFromRaw(registered.publicKey),
      });
    } catch (err) {
      throw new UnknownKeyError(`key ${hostKeyId} of host ${hostId} is not a usable X25519 public key`, {
        ...context,
        cause: err,
      });
    }
    this.#derivations += 1;
    return key;
  }
}
