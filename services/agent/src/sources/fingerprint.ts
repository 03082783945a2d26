import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** How many leading bytes of a file at most make up its fingerprint. */
export const FINGERPRINT_BYTES = 1024;

/**
 * The fingerprint of a file's content from its first bytes: SHA-256 (hex) of its first line including the
 * newline, cut at {@link FINGERPRINT_BYTES}; undefined while the file has neither a complete first line nor that
 * many bytes.
 *
 * Only the first line counts, so the fingerprint is fixed from the moment the first line can be delivered and
 * never changes as the file grows: a line's message id (host, fingerprint, offset) is the same on every read.
 */
export function fingerprintOf(prefix: Buffer): string | undefined {
  const head = prefix.subarray(0, FINGERPRINT_BYTES);
  const newline = head.indexOf(10);
  if (newline < 0 && head.length < FINGERPRINT_BYTES) return undefined;
  const end = newline < 0 ? FINGERPRINT_BYTES : newline + 1;
  return createHash('sha256').update(head.subarray(0, end)).digest('hex');
}

/** Reads the fingerprint of the file open at `handle` (see {@link fingerprintOf}). */
export async function readFingerprint(handle: FileHandle): Promise<string | undefined> {
  const buffer = Buffer.alloc(FINGERPRINT_BYTES);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return fingerprintOf(buffer.subarray(0, filled));
}
