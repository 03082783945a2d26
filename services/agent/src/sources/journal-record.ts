/** One `journalctl -o json` record as journalctl printed it, and its cursor, the position to commit. */
export interface JournalRecord {
  /** The JSON text of the record, for `parseJournalRecord` of `@hostwatch/auth-log`. */
  readonly text: string;
  /** The record's `__CURSOR`: names the entry for good, so it also makes a stable message id. */
  readonly cursor: string;
}
