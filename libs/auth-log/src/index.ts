export {
  AUTH_LOG_FORMATS,
  AuthLogScanner,
  SSHD_PROGRAMS,
  type AuthEvent,
  type AuthLogFormat,
  type AuthLogScannerOptions,
  type UnparsedSample,
} from './auth-log-scanner.js';
export { parseAuthLine, type AuthLineContext } from './parse-auth-line.js';
export { SSHD_EVENT_KINDS, type SshdEvent, type SshdEventKind } from './sshd-event.js';
export { parseSshdMessage, cleanAddress, type SshdMessage } from './sshd-message.js';
export { SECURITY_EVENT_TYPES, type SecurityEvent, type SecurityEventType } from './security-event.js';
export { SECURITY_PROGRAMS, parseSecurityMessage, type SecurityMessage } from './security-message.js';
export type { LogRecord } from './log-record.js';
export { SyslogLineReader, parseSyslogLine, rfc3339Time } from './syslog-line.js';
export { parseJournalRecord } from './journal-record.js';
export { SyslogClock, type SyslogClockOptions } from './syslog-clock.js';
export { LocalTime, formatWithOffset, offsetText } from './local-time.js';
export {
  SessionTracker,
  sessionId,
  type SessionOutcome,
  type SessionTrackerOptions,
  type SshSession,
} from './session-tracker.js';
