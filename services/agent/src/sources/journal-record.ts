import { createHash } from 'node:crypto';

/** Where a journal record sits: its cursor, and the journal's sequence number id and number it encodes. */
export interface JournalPosition {
  /** `journal:<seqnum id>` from the cursor: names the journal file set the sequence numbers count in. */
  readonly fingerprint: string;
  /** The record's sequence number (`i=` of the cursor). */
  readonly offset: number;
  /** The record's `__CURSOR`, where reading resumes once it is committed. */
  readonly cursor: string;
}

/** One `journalctl -o json` record as journalctl printed it, and its position. */
export interface JournalRecord {
  /** The JSON text of the record, for `parseJournalRecord` of `@hostwatch/auth-log`. */
  readonly text: string;
  /** Names the entry for good, so (host, fingerprint, offset) also makes a stable message id. */
  readonly position: JournalPosition;
}

/**
 * The position of a record from its cursor (`s=<seqnum id>;i=<seqnum hex>;b=…`); a cursor of another shape is
 * named by its SHA-256, at offset 0.
 */
export function journalPosition(cursor: string): JournalPosition {
  const fields = new Map(cursor.split(';').map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
  const seqnumId = fields.get('s');
  const seqnum = fields.get('i');
  if (seqnumId !== undefined && /^[0-9a-f]{1,64}$/.test(seqnumId) && seqnum !== undefined && /^[0-9a-f]{1,13}$/.test(seqnum)) {
    return { fingerprint: `journal:${seqnumId}`, offset: Number.parseInt(seqnum, 16), cursor };
  }
  return { fingerprint: `journal-cursor:${createHash('sha256').update(cursor).digest('hex')}`, offset: 0, cursor };
}
