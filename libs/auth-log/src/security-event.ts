/** Kinds of security event other than sshd logins, as in `@hostwatch/contract`'s `SecurityEvent`. */
export const SECURITY_EVENT_TYPES = [
  'sudo',
  'su',
  'user_added',
  'user_removed',
  'group_added',
  'group_removed',
  'password_changed',
] as const;

/** One kind of security event. */
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/**
 * A security event read from an auth log: the fields of the contract's `SecurityEvent` (less its `id`, and with
 * `host` for `logHost`) plus where it was read (`line`, `pid`, `program`).
 */
export interface SecurityEvent {
  readonly line: number;
  readonly time: string;
  readonly host: string | undefined;
  readonly program: string;
  readonly pid: number | undefined;
  readonly type: SecurityEventType;
  /** Who acted: the sudo or su caller, the account whose password changed by itself. */
  readonly user: string | undefined;
  /** Whom or what it acted on: sudo's and su's target user, the account or group added or removed. */
  readonly target: string | undefined;
  readonly command: string | undefined;
  readonly tty: string | undefined;
  /** false for a refused sudo or a failed su. */
  readonly allowed: boolean | undefined;
  /** The rest worth keeping, e.g. `pwd=/root` for sudo, `UID=1001, GID=1001, home=/home/bob` for a new user. */
  readonly detail: string | undefined;
}
