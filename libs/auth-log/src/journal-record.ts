import type { LogRecord } from './log-record.js';
import type { SyslogClock } from './syslog-clock.js';

/**
 * Reads one `journalctl -o json` record: MESSAGE (a string, or an array of bytes when not UTF-8), _HOSTNAME,
 * SYSLOG_IDENTIFIER (else _COMM), _PID (else SYSLOG_PID) and __REALTIME_TIMESTAMP (µs since the epoch), shown in
 * the clock's zone. Undefined when the text is not such a record, or when its program is not in `programs`
 * (checked, where it can be, before the JSON is parsed).
 */
export function parseJournalRecord(
  text: string,
  clock: SyslogClock,
  programs?: ReadonlySet<string>,
): LogRecord | undefined {
  if (programs !== undefined) {
    const identifier = peekString(text, '"SYSLOG_IDENTIFIER"') ?? peekString(text, '"_COMM"');
    if (identifier !== undefined && !programs.has(identifier)) return undefined;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const fields = record as Record<string, unknown>;
  const program = str(fields.SYSLOG_IDENTIFIER) ?? str(fields._COMM);
  if (program === undefined || (programs !== undefined && !programs.has(program))) return undefined;
  const message = messageText(fields.MESSAGE);
  const micros = str(fields.__REALTIME_TIMESTAMP) ?? str(fields._SOURCE_REALTIME_TIMESTAMP);
  if (message === undefined || micros === undefined || !/^\d{1,19}$/.test(micros)) return undefined;
  const big = BigInt(micros);
  const epochMs = Number(big / 1000n);
  const fraction = `.${String(big % 1_000_000n).padStart(6, '0')}`;
  const pidText = str(fields._PID) ?? str(fields.SYSLOG_PID);
  const pid = pidText !== undefined && /^\d{1,10}$/.test(pidText) ? Number(pidText) : undefined;
  return { time: clock.local.format(epochMs, fraction), host: str(fields._HOSTNAME), program, pid, message };
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

// journald exports a MESSAGE that is not valid UTF-8 as an array of byte values.
function messageText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((b) => typeof b === 'number' && b >= 0 && b <= 255)) {
    return Buffer.from(value as number[]).toString('utf8');
  }
  return undefined;
}

// The value of a top-level string field without parsing the record; undefined if absent or not a plain string.
function peekString(text: string, key: string): string | undefined {
  const at = text.indexOf(key);
  if (at < 0) return undefined;
  let i = at + key.length;
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 58) return undefined;
  i++;
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 34) return undefined;
  const end = text.indexOf('"', i + 1);
  if (end < 0) return undefined;
  const value = text.slice(i + 1, end);
  return value.includes('\\') ? undefined : value;
}
