/** The vocabulary of sshd events, as `../shared/design.md` fixes it. */
export const SSHD_EVENT_KINDS = [
  'accepted',
  'failed',
  'invalid_user',
  'not_allowed',
  'too_many_failures',
  'disconnected',
  'probe',
  'negotiation_failed',
  'connection',
  'session_opened',
  'session_closed',
] as const;

/** One kind of sshd event. */
export type SshdEventKind = (typeof SSHD_EVENT_KINDS)[number];

/** One sshd event with exactly the fields of the `auth-scan` contract; unknown fields are undefined (and absent in JSON). */
export interface SshdEvent {
  /** 1-based number of the input line that produced the event. */
  readonly line: number;
  /** ISO-8601 with offset. */
  readonly time: string;
  /** The machine that logged the line. */
  readonly host: string | undefined;
  /** The sshd process id, when logged. */
  readonly pid: number | undefined;
  readonly event: SshdEventKind;
  /** Remote address or name as logged (`::ffff:` removed), from this line or an earlier line of the same sshd process. */
  readonly source: string | undefined;
  readonly user: string | undefined;
  readonly port: number | undefined;
  /** `password`, `publickey`, `keyboard-interactive`, `hostbased`, `none`, … (a `/pam` style sub-method removed). */
  readonly method: string | undefined;
  /**
   * How many attempts the line stands for: N for `message repeated N times: [...]`, else 1; 0 for a PAM module's
   * report of a failure that sshd reports again in its own `Failed <method>` line, so that sums do not count it twice.
   */
  readonly count: number;
}
