import { validateMessage, type HostMessage } from '@hostwatch/contract';
import {
  ENVELOPE_HEADERS,
  EnvelopeError,
  Opener,
  PendingKeyError,
  UnknownKeyError,
  keyIdOf,
  type CollectorKeyPair,
  type OpenedMessage,
} from '@hostwatch/envelope';
import type pg from 'pg';
import { ENROLLMENT_HEADERS, isValidEnrollmentToken } from '@hostwatch/envelope';
import type { IncomingMessage } from './incoming-message.js';
import type { PgKeyRegistry } from './pg-key-registry.js';
import type { Enrollment, Verdict } from './verdict.js';

/** What a {@link MessageVerifier} needs. */
export interface MessageVerifierOptions {
  readonly collectorKeys: CollectorKeyPair | readonly CollectorKeyPair[];
  readonly registry: PgKeyRegistry;
  /** Used only on the enrollment path, to see whether a host was revoked. */
  readonly pool: pg.Pool;
  readonly enrollmentSecret: string | undefined;
  /** Messages dated more than this far ahead of the clock are refused as out of range. */
  readonly maxFutureMs: number;
  readonly now?: () => number;
}

function timesOf(message: HostMessage): string[] {
  return message.kind === 'stats' ? [message.time] : message.events.map((e) => e.time);
}

/**
 * Decides what becomes of each message: opens the envelope against the host key registry,
 * enrolls new keys, parses and validates the body, and routes by kind. Envelope and content
 * problems become quarantine verdicts; a failing registry lookup is thrown, as it is transient.
 */
export class MessageVerifier {
  readonly #opener: Opener;
  readonly #options: MessageVerifierOptions;
  readonly #now: () => number;

  constructor(options: MessageVerifierOptions) {
    this.#options = options;
    this.#opener = new Opener({ collectorKeys: options.collectorKeys, registry: options.registry });
    this.#now = options.now ?? Date.now;
  }

  /** Forgets the cached keys of a host whose keys were just enrolled. */
  forget(hostId: string): void {
    this.#options.registry.forget(hostId);
  }

  /** Verifies a batch; one registry query covers every key the batch names. */
  async verifyBatch(batch: readonly IncomingMessage[]): Promise<Verdict[]> {
    const keys: [string, string][] = [];
    for (const m of batch) {
      const host = m.headers[ENVELOPE_HEADERS.hostId];
      const key = m.headers[ENVELOPE_HEADERS.hostKeyId];
      if (host && key) keys.push([host, key]);
    }
    await this.#options.registry.prefetch(keys);
    const verdicts: Verdict[] = [];
    for (const m of batch) verdicts.push(await this.verify(m));
    return verdicts;
  }

  /** Verifies one message. */
  async verify(incoming: IncomingMessage): Promise<Verdict> {
    let opened: OpenedMessage;
    try {
      opened = await this.#opener.open(incoming.data, incoming.headers, incoming.subject);
    } catch (err) {
      if (
        err instanceof UnknownKeyError &&
        err.hostId &&
        err.keyId &&
        incoming.headers[ENROLLMENT_HEADERS.publicKey]
      ) {
        return this.#enroll(incoming, err);
      }
      if (err instanceof PendingKeyError && err.hostId && err.keyId) {
        return { verdict: 'pending', incoming, hostId: err.hostId, keyId: err.keyId };
      }
      if (err instanceof EnvelopeError) {
        // pending_key without ids cannot happen: the opener names both before it authenticates.
        const reason = err.reason === 'pending_key' ? 'unknown_key' : err.reason;
        return {
          verdict: 'quarantine',
          incoming,
          reason,
          detail: err.message,
          hostId: err.hostId,
          messageId: err.messageId,
        };
      }
      throw err;
    }
    return this.#parse(incoming, opened);
  }

  #parse(incoming: IncomingMessage, opened: OpenedMessage, enrollment?: Enrollment): Verdict {
    const about = { incoming, hostId: opened.hostId, messageId: opened.messageId };
    let value: unknown;
    try {
      value = JSON.parse(
        Buffer.from(opened.body.buffer, opened.body.byteOffset, opened.body.byteLength).toString('utf8'),
      );
    } catch (err) {
      return {
        verdict: 'quarantine',
        ...about,
        reason: 'invalid_json',
        detail: `body is not JSON: ${(err as Error).message}`,
      };
    }
    const result = validateMessage(opened.kind, opened.hostId, value);
    if (!result.ok) {
      return {
        verdict: 'quarantine',
        ...about,
        reason: 'schema_invalid',
        detail: result.problems.join('; '),
      };
    }
    const limit = this.#now() + this.#options.maxFutureMs;
    const future = timesOf(result.message).find((t) => Date.parse(t) > limit);
    if (future !== undefined) {
      return {
        verdict: 'quarantine',
        ...about,
        reason: 'out_of_range',
        detail: `time ${future} is too far in the future`,
      };
    }
    return {
      verdict: 'accept',
      incoming,
      hostId: opened.hostId,
      messageId: opened.messageId,
      message: result.message,
      enrollment,
    };
  }

  /**
   * A key the registry does not know, presented with its public key: the message must open under
   * that key (proving the sender holds its private half) before anything is recorded. With a
   * valid enrollment token the key is approved and the message stored; without, the host waits.
   */
  async #enroll(incoming: IncomingMessage, err: UnknownKeyError): Promise<Verdict> {
    const hostId = err.hostId as string;
    const keyId = err.keyId as string;
    const refuse = (detail: string): Verdict => ({
      verdict: 'quarantine',
      incoming,
      reason: 'unknown_key',
      detail,
      hostId,
      messageId: err.messageId,
    });
    const publicKey = Buffer.from(incoming.headers[ENROLLMENT_HEADERS.publicKey] ?? '', 'base64url');
    if (publicKey.length !== 32 || keyIdOf(publicKey) !== keyId) {
      return refuse(`${err.message}; the presented public key is not key ${keyId}`);
    }
    const { rows } = await this.#options.pool.query<{ status: string }>(
      'SELECT status FROM hosts WHERE host_id = $1',
      [hostId],
    );
    if (rows[0]?.status === 'revoked') {
      return {
        verdict: 'quarantine',
        incoming,
        reason: 'revoked_key',
        detail: `host ${hostId} is revoked`,
        hostId,
        messageId: err.messageId,
      };
    }
    const secret = this.#options.enrollmentSecret;
    const token = incoming.headers[ENROLLMENT_HEADERS.token];
    const approved =
      secret !== undefined && token !== undefined && isValidEnrollmentToken(secret, hostId, keyId, token);
    const status = approved ? 'approved' : 'pending';
    const opener = new Opener({
      collectorKeys: this.#options.collectorKeys,
      registry: { lookup: () => ({ publicKey, status }) },
    });
    const enrollment = { hostId, keyId, publicKey: new Uint8Array(publicKey), status } as const;
    try {
      const opened = await opener.open(incoming.data, incoming.headers, incoming.subject);
      return this.#parse(incoming, opened, enrollment);
    } catch (openErr) {
      if (openErr instanceof PendingKeyError)
        return { verdict: 'pending', incoming, hostId, keyId, enrollment };
      if (openErr instanceof EnvelopeError) {
        return {
          verdict: 'quarantine',
          incoming,
          reason: openErr.reason === 'pending_key' ? 'unknown_key' : openErr.reason,
          detail: openErr.message,
          hostId,
          messageId: err.messageId,
        };
      }
      throw openErr;
    }
  }
}
