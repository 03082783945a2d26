import { createHash } from 'node:crypto';
import { assertHostId, type MessageKind } from '@hostwatch/contract/light';

/** Longest message id accepted, as the contract's event ids. */
export const MESSAGE_ID_MAX_LENGTH = 200;

const MESSAGE_ID = /^[A-Za-z0-9_.:-]+$/;
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Returns why `id` cannot be a message id, or undefined when it can: 1 to 200 characters of
 * letters, digits, `_`, `-`, `.` and `:`, safe as a NATS header value and as a database key.
 */
export function messageIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'message id is empty';
  if (id.length > MESSAGE_ID_MAX_LENGTH) {
    return `message id is ${id.length} characters long; at most ${MESSAGE_ID_MAX_LENGTH} are allowed`;
  }
  if (!MESSAGE_ID.test(id))
    return `message id ${JSON.stringify(id)} may contain only letters, digits, '_', '-', '.' and ':'`;
  return undefined;
}

function token(name: string, value: string): string {
  if (!TOKEN.test(value)) {
    throw new RangeError(`${name} ${JSON.stringify(value)} must be 1 to 64 letters, digits, '-' or '_'`);
  }
  return value;
}

function position(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number >= 0, not ${value}`);
  return value;
}

/**
 * A short stable fingerprint of a log source (16 hex characters of SHA-256), for
 * {@link logMessageId}: feed it whatever identifies the file across renames, such as its device,
 * inode and a hash of its first line.
 */
export function logSourceFingerprint(identity: string | Uint8Array): string {
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

/** Where a message of log events starts: host, kind, log source and byte offset. */
export interface LogPosition {
  readonly hostId: string;
  /** The kind of message read from the log; it keeps an ssh and an event message of one line apart. */
  readonly kind: Exclude<MessageKind, 'stats'>;
  /** A fingerprint of the log source, such as {@link logSourceFingerprint} returns. */
  readonly source: string;
  /** Byte offset in the source of the first line the message covers. */
  readonly offset: number;
}

/**
 * The deterministic id of a message of log events, `<hostId>.<kind>.<source>.<offset>`: reading
 * the same position again, after a restart, yields the same id, so the re-publish is a no-op.
 */
export function logMessageId(at: LogPosition): string {
  return `${assertHostId(at.hostId)}.${at.kind}.${token('log source', at.source)}.${position('offset', at.offset)}`;
}

/** Which stats sample a message carries: host, boot and sequence number within that boot. */
export interface StatsSample {
  readonly hostId: string;
  /** The kernel's boot id (`/proc/sys/kernel/random/boot_id`), or another id of this boot. */
  readonly bootId: string;
  readonly sequence: number;
}

/** The deterministic id of a stats message, `<hostId>.stats.<bootId>.<sequence>`. */
export function statsMessageId(sample: StatsSample): string {
  return `${assertHostId(sample.hostId)}.stats.${token('boot id', sample.bootId)}.${position('sequence', sample.sequence)}`;
}
