import type { HostMessage } from '@hostwatch/contract';
import type { IncomingMessage } from './incoming-message.js';

/** Why a message was refused: the envelope's reasons plus what ingest itself checks. */
export type QuarantineReason =
  | 'malformed'
  | 'too_large'
  | 'subject_mismatch'
  | 'host_mismatch'
  | 'unknown_key'
  | 'revoked_key'
  | 'tampered'
  | 'invalid_json'
  | 'schema_invalid'
  | 'out_of_range'
  | 'store_rejected'
  | 'max_deliveries';

/** Every {@link QuarantineReason}, for metrics that start each counter at zero. */
export const QUARANTINE_REASONS: readonly QuarantineReason[] = [
  'malformed',
  'too_large',
  'subject_mismatch',
  'host_mismatch',
  'unknown_key',
  'revoked_key',
  'tampered',
  'invalid_json',
  'schema_invalid',
  'out_of_range',
  'store_rejected',
  'max_deliveries',
];

/** A host key that authenticated a message and is to be recorded with this status. */
export interface Enrollment {
  readonly hostId: string;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly status: 'approved' | 'pending';
}

/** An authentic, valid message to store. */
export interface Accepted {
  readonly verdict: 'accept';
  readonly incoming: IncomingMessage;
  readonly hostId: string;
  readonly messageId: string;
  readonly message: HostMessage;
  /** Set when the message enrolled its key with a valid enrollment token. */
  readonly enrollment?: Enrollment | undefined;
}

/** A message to keep in the quarantine and terminate. */
export interface Quarantined {
  readonly verdict: 'quarantine';
  readonly incoming: IncomingMessage;
  readonly reason: QuarantineReason;
  readonly detail: string;
  readonly hostId?: string | undefined;
  readonly messageId?: string | undefined;
}

/** An authentic message from a key waiting for approval: the host is recorded, the data is not stored. */
export interface Pending {
  readonly verdict: 'pending';
  readonly incoming: IncomingMessage;
  readonly hostId: string;
  readonly keyId: string;
  /** Set when the key is new and is to be recorded as pending. */
  readonly enrollment?: Enrollment | undefined;
}

/** What verification decided about one message. */
export type Verdict = Accepted | Quarantined | Pending;
