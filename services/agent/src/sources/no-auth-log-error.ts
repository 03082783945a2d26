/** Neither an auth log file nor the journal can be read on this host; the message says what was tried and what to do. */
export class NoAuthLogError extends Error {
  override readonly name = 'NoAuthLogError';
  /** Each place tried and why it could not be used. */
  readonly tried: readonly string[];

  constructor(tried: readonly string[]) {
    super(
      `no SSH login log to read: ${tried.join('; ')}. ` +
        "Run the agent as a user in group 'adm' (Debian, Ubuntu: /var/log/auth.log and the journal) or " +
        "'systemd-journal', or configure the log file's path.",
    );
    this.tried = tried;
  }
}
