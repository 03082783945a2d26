import { AuthLogScanner, type AuthEvent, type AuthLogScannerOptions } from './auth-log-scanner.js';

/** What {@link parseAuthLine} needs beside the text: the clock and zone, the format, and the line's number. */
export interface AuthLineContext extends AuthLogScannerOptions {
  /** 1-based line number reported in the events; default 1. */
  readonly line?: number | undefined;
}

/**
 * The events one auth-log line stands for, read on its own: a line that does not name its peer gets no `source`
 * here; to carry peers across the lines of one sshd process, feed the lines to one {@link AuthLogScanner}.
 */
export function parseAuthLine(text: string, context: AuthLineContext = {}): AuthEvent[] {
  const event = new AuthLogScanner(context).scan(text, context.line ?? 1);
  return event === undefined ? [] : [event];
}
