/** Why a sealed message was refused: stored with a quarantined message as its reason. */
export type EnvelopeErrorReason =
  | 'malformed'
  | 'too_large'
  | 'subject_mismatch'
  | 'host_mismatch'
  | 'unknown_key'
  | 'pending_key'
  | 'revoked_key'
  | 'tampered';

/** What is known about the refused message when it was refused; every field is from its headers or subject. */
export interface EnvelopeErrorContext {
  readonly hostId?: string | undefined;
  readonly keyId?: string | undefined;
  readonly messageId?: string | undefined;
  readonly cause?: unknown;
}

/**
 * A message that can never be sealed or opened as it is: retrying cannot help, so a consumer
 * terminates and quarantines it with {@link EnvelopeError.reason}. Any other error (a registry
 * lookup that failed, say) is transient and worth a retry.
 */
export abstract class EnvelopeError extends Error {
  /** Machine-readable reason, one per subclass. */
  abstract readonly reason: EnvelopeErrorReason;
  /** Host id the message claims, when it got that far. */
  readonly hostId: string | undefined;
  /** Host key id the message claims, when it got that far. */
  readonly keyId: string | undefined;
  /** Message id the message claims, when it got that far. */
  readonly messageId: string | undefined;

  constructor(message: string, context: EnvelopeErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.hostId = context.hostId;
    this.keyId = context.keyId;
    this.messageId = context.messageId;
  }
}

/** Headers missing or invalid, bytes truncated, or an envelope version this build does not know. */
export class MalformedError extends EnvelopeError {
  override readonly name = 'MalformedError';
  readonly reason = 'malformed';
}

/** A body over `MAX_BODY_BYTES` on seal, or sealed bytes over `MAX_SEALED_BYTES` on open. */
export class TooLargeError extends EnvelopeError {
  override readonly name = 'TooLargeError';
  readonly reason = 'too_large';
}

/** The subject is not a host's subject `hostwatch.<hostId>.<kind>`. */
export class SubjectMismatchError extends EnvelopeError {
  override readonly name = 'SubjectMismatchError';
  readonly reason = 'subject_mismatch';
}

/** The host id in the headers is not the host the subject names (or, on seal, not the sealing host). */
export class HostMismatchError extends EnvelopeError {
  override readonly name = 'HostMismatchError';
  readonly reason = 'host_mismatch';
}

/** Neither the registry knows the host key nor the opener the collector key that the headers name. */
export class UnknownKeyError extends EnvelopeError {
  override readonly name = 'UnknownKeyError';
  readonly reason = 'unknown_key';
}

/**
 * The host key is registered but not yet approved. Thrown only after the message authenticated
 * under that key, so it proves the sender holds the key's private half: ingest may record the
 * host as seen and waiting for enrollment.
 */
export class PendingKeyError extends EnvelopeError {
  override readonly name = 'PendingKeyError';
  readonly reason = 'pending_key';
}

/** The host key was revoked: nothing sealed with it is accepted any more. */
export class RevokedKeyError extends EnvelopeError {
  override readonly name = 'RevokedKeyError';
  readonly reason = 'revoked_key';
}

/**
 * AES-256-GCM authentication failed: a byte of nonce, ciphertext or tag was changed, the
 * associated data (subject, host, message id, key ids) differs from what was sealed, or the
 * message was sealed under another key than the one its headers name.
 */
export class TamperedError extends EnvelopeError {
  override readonly name = 'TamperedError';
  readonly reason = 'tampered';
}
