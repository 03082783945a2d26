/** One log line split into its syslog or journald header and the program's message. */
export interface LogRecord {
  /** ISO-8601 with offset. */
  readonly time: string;
  /** The machine that logged the line, when the line names it. */
  readonly host: string | undefined;
  /** The program (syslog tag), e.g. `sshd`, `sshd-session`, `sudo`. */
  readonly program: string;
  readonly pid: number | undefined;
  readonly message: string;
}
