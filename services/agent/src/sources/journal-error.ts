/** `journalctl` could not be run or stopped with an error; the message carries what it wrote to stderr. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  /** The exit code, or null when it was killed by a signal or never started. */
  readonly exitCode: number | null;

  constructor(message: string, exitCode: number | null, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}
