import type { LogRecord } from './log-record.js';
import type { SyslogClock } from './syslog-clock.js';

/**
 * Splits one syslog line into header and message: classic (`Mmm dd hh:mm:ss host prog[pid]: msg`, also without
 * host or pid, or with an RFC 3164 `<pri>`), RFC 3339 high-precision (`2025-05-20T10:00:00.123456+02:00 host
 * prog[pid]: msg`) and RFC 5424 (`<34>1 2025-05-20T10:00:00Z host prog 123 - - msg`). Undefined when the line
 * is none of these, or when `wanted` turns its program down (checked before the time is worked out).
 */
export function parseSyslogLine(
  text: string,
  clock: SyslogClock,
  wanted?: (program: string) => boolean,
): LogRecord | undefined {
  let i = 0;
  if (text.charCodeAt(0) === 60) {
    const close = text.indexOf('>', 1);
    if (close < 2 || close > 4) return undefined;
    if (text.charCodeAt(close + 1) === 49 && text.charCodeAt(close + 2) === 32) {
      return parseRfc5424(text, close + 3, clock, wanted);
    }
    i = close + 1;
  }
  const c = text.charCodeAt(i);
  if (c >= 48 && c <= 57) return parseRfc3339Line(text, i, clock, wanted);
  return parseClassic(text, i, clock, wanted);
}

interface Header {
  host: string | undefined;
  program: string;
  pid: number | undefined;
  message: string;
}

// `host prog[pid]: msg`, `prog[pid]: msg`, `host prog: msg`, `[prog]: msg`, `[prog] msg`.
function parseTag(text: string, start: number): Header | undefined {
  let end = text.indexOf(' ', start);
  if (end < 0) return undefined;
  let host: string | undefined;
  if (!looksLikeTag(text, start, end)) {
    host = text.slice(start, end);
    start = end + 1;
    end = text.indexOf(' ', start);
    if (end < 0) end = text.length;
  }
  let tagEnd = end;
  if (text.charCodeAt(tagEnd - 1) === 58) tagEnd--;
  let program: string;
  let pid: number | undefined;
  if (text.charCodeAt(start) === 91) {
    if (text.charCodeAt(tagEnd - 1) !== 93) return undefined;
    program = text.slice(start + 1, tagEnd - 1);
  } else if (text.charCodeAt(tagEnd - 1) === 93) {
    const open = text.lastIndexOf('[', tagEnd);
    if (open <= start) return undefined;
    program = text.slice(start, open);
    pid = toInt(text, open + 1, tagEnd - 1);
    if (pid === undefined) return undefined;
  } else {
    if (tagEnd === end) return undefined;
    program = text.slice(start, tagEnd);
  }
  if (program.length === 0) return undefined;
  return { host, program, pid, message: end >= text.length ? '' : text.slice(end + 1) };
}

function looksLikeTag(text: string, start: number, end: number): boolean {
  return text.charCodeAt(end - 1) === 58 || text.charCodeAt(start) === 91;
}

function toInt(text: string, start: number, end: number): number | undefined {
  if (end <= start || end - start > 10) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

function parseClassic(
  text: string,
  start: number,
  clock: SyslogClock,
  wanted: ((program: string) => boolean) | undefined,
): LogRecord | undefined {
  // `Mmm dd hh:mm:ss ` with the day as `5`, ` 5` or `05`.
  let i = start + 3;
  if (text.charCodeAt(i) !== 32) return undefined;
  while (text.charCodeAt(i) === 32) i++;
  const d1 = text.charCodeAt(i) - 48;
  if (d1 < 0 || d1 > 9) return undefined;
  let day = d1;
  i++;
  const d2 = text.charCodeAt(i) - 48;
  if (d2 >= 0 && d2 <= 9) {
    day = day * 10 + d2;
    i++;
  }
  if (text.charCodeAt(i) !== 32 || text.charCodeAt(i + 3) !== 58 || text.charCodeAt(i + 6) !== 58) return undefined;
  const hour = toInt(text, i + 1, i + 3);
  const minute = toInt(text, i + 4, i + 6);
  const second = toInt(text, i + 7, i + 9);
  if (hour === undefined || minute === undefined || second === undefined || text.charCodeAt(i + 9) !== 32) {
    return undefined;
  }
  const header = parseTag(text, i + 10);
  if (header === undefined || (wanted !== undefined && !wanted(header.program))) return undefined;
  const time = clock.classic(text.slice(start, start + 3), day, hour, minute, second);
  if (time === undefined) return undefined;
  return { time, host: header.host, program: header.program, pid: header.pid, message: header.message };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?$/;

/** ISO-8601 text of an RFC 3339 timestamp: kept as written when it has an offset, else read as local time. */
export function rfc3339Time(stamp: string, clock: SyslogClock): string | undefined {
  const m = RFC3339.exec(stamp);
  if (m === null) return undefined;
  const zone = m[8];
  if (zone !== undefined) {
    const normal = zone === 'z' ? 'Z' : zone;
    if (stamp.charCodeAt(10) === 84 && normal === zone) return stamp;
    return `${stamp.slice(0, 10)}T${stamp.slice(11, stamp.length - zone.length)}${normal}`;
  }
  return clock.wall(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ?? '');
}

function parseRfc3339Line(
  text: string,
  start: number,
  clock: SyslogClock,
  wanted: ((program: string) => boolean) | undefined,
): LogRecord | undefined {
  const space = text.indexOf(' ', start);
  if (space < 0 || text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 10) !== 84) return undefined;
  const header = parseTag(text, space + 1);
  if (header === undefined || (wanted !== undefined && !wanted(header.program))) return undefined;
  const time = rfc3339Time(text.slice(start, space), clock);
  if (time === undefined) return undefined;
  return { time, host: header.host, program: header.program, pid: header.pid, message: header.message };
}

// `<pri>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`, `-` for a missing field.
function parseRfc5424(
  text: string,
  start: number,
  clock: SyslogClock,
  wanted: ((program: string) => boolean) | undefined,
): LogRecord | undefined {
  const fields: string[] = [];
  let i = start;
  for (let n = 0; n < 5; n++) {
    const end = text.indexOf(' ', i);
    if (end < 0) return undefined;
    fields.push(text.slice(i, end));
    i = end + 1;
  }
  const [stamp = '-', host = '-', program = '-', procid = '-'] = fields;
  if (program === '-' || (wanted !== undefined && !wanted(program))) return undefined;
  const sdEnd = structuredDataEnd(text, i);
  if (sdEnd < 0) return undefined;
  let message = sdEnd >= text.length ? '' : text.slice(sdEnd + 1);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  const time = stamp === '-' ? undefined : rfc3339Time(stamp, clock);
  if (time === undefined) return undefined;
  const pid = procid === '-' ? undefined : toInt(procid, 0, procid.length);
  return { time, host: host === '-' ? undefined : host, program, pid, message };
}

// Index just after STRUCTURED-DATA (`-` or `[id k="v" …]…`, values may hold `\]`, `\"` and bare `]`); -1 if malformed.
function structuredDataEnd(text: string, start: number): number {
  if (text.charCodeAt(start) === 45) return start + 1;
  let i = start;
  while (text.charCodeAt(i) === 91) {
    i++;
    let quoted = false;
    for (;;) {
      if (i >= text.length) return -1;
      const c = text.charCodeAt(i);
      if (quoted && c === 92) i += 2;
      else if (c === 34) {
        quoted = !quoted;
        i++;
      } else if (!quoted && c === 93) {
        i++;
        break;
      } else i++;
    }
  }
  return i === start ? -1 : i;
}
