/** The vocabulary of sshd events, as `../shared/design.md` fixes it. */
export const SSH_EVENT_KINDS = [
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

/** Kinds of security event other than sshd logins. */
export const SECURITY_EVENT_TYPES = [
  'sudo',
  'su',
  'user_added',
  'user_removed',
  'group_added',
  'group_removed',
  'password_changed',
] as const;
