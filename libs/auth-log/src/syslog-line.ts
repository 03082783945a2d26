import type { LogRecord } from './log-record.js';
import type { SyslogClock } from './syslog-clock.js';

/**
 * Splits one syslog line into header and message: classic (`Mmm dd hh:mm:ss host prog[pid]: msg`, also without
 * host or pid, or with an RFC 3164 `<pri>`), RFC 3339 high-precision (`2025-05-20T10:00:00.123456+02:00 host
 * prog[pid]: msg`) and RFC 5424 (`<34>1 2025-05-20T10:00:00Z host prog 123 - - msg`). Undefined when the line is
 * none of these, or when its program is not in `programs` (checked before the time is worked out).
 */
export function parseSyslogLine(
  text: string,
  clock: SyslogClock,
  programs?: ReadonlySet<string>,
): LogRecord | undefined {
  const reader = new SyslogLineReader(clock, programs);
  if (!reader.next(text)) return undefined;
  return {
    time: reader.time,
    host: reader.host,
    program: reader.program,
    pid: reader.pid,
    message: reader.message,
  };
}

/**
 * {@link parseSyslogLine} for many lines: it turns down lines of other programs without copying any part of them,
 * reuses the host name and the time of the previous line when they are the same, and allocates no record: after
 * {@link SyslogLineReader.next} returns true, its fields hold the line's header, and the message is where it lies,
 * `messageText` from `messageStart` to `messageEnd` (`message` cuts it out).
 */
export class SyslogLineReader implements LogRecord {
  time = '';
  host: string | undefined;
  program = '';
  pid: number | undefined;
  /** The text that holds the message: the line (or chunk) read, or for RFC 5424 the message alone. */
  messageText = '';
  /** Where the message starts in {@link SyslogLineReader.messageText}. */
  messageStart = 0;
  /** Where the message ends in {@link SyslogLineReader.messageText}. */
  messageEnd = 0;
  readonly #clock: SyslogClock;
  readonly #programs: ReadonlySet<string> | undefined;
  // Wanted program names by their first character, so a line of another program is turned down in a few compares.
  readonly #byFirst: (string[] | undefined)[] = [];
  #host = '';
  #stamp = '';
  #time = '';
  #stampUntil = 0;
  // The start of the last classic line read by #knownHostTag with a pid, `<stamp> <host> <name>[`, and what it says:
  // a line that starts so is read by one comparison and its pid. Only when no wanted name holds a `[` (a longer name
  // could then start so too).
  readonly #headSafe: boolean;
  #head = '';
  // Where the head's stamp ends, and its last character (of the seconds): the stamp differs there first.
  #headStampEnd = 0;
  #headSecond = 0;
  #headTime = '';
  #headHost = '';
  #headProgram = '';
  #headUntil = 0;
  // Where #knownHostTag found the `[` after the name, or -1 (no pid, or another reading).
  #pidOpen = -1;
  // The second (`2025-05-20T10:00:00.`) and offset (`+02:00`) of the last rsyslog stamp read: a stamp of the same
  // second and offset needs only its fraction checked.
  #rfcSecond = '';
  #rfcOffset = '';

  /** Reads lines of the programs named in `programs`, or of any program when it is undefined. */
  constructor(clock: SyslogClock, programs?: ReadonlySet<string>) {
    this.#clock = clock;
    this.#programs = programs;
    let safe = programs !== undefined;
    for (const name of programs ?? []) {
      const first = name.charCodeAt(0) & 127;
      const list = this.#byFirst[first] ?? [];
      list.push(name);
      list.sort((a, b) => b.length - a.length);
      this.#byFirst[first] = list;
      if (name.includes('[')) safe = false;
    }
    this.#headSafe = safe;
  }

  /** The message of the last line read, cut out. */
  get message(): string {
    return this.messageText.slice(this.messageStart, this.messageEnd);
  }

  /**
   * Reads one line into this reader's fields; false when it is no line of a wanted program (see
   * {@link parseSyslogLine}). The line is `text` from `start` to `end` (default: all of it), so a caller holding a
   * chunk of many lines need not cut each one out: a line of another program is turned down without any copy.
   */
  next(text: string, start = 0, end = text.length): boolean {
    if (end <= start) return false;
    const c = text.charCodeAt(start);
    if (c === 60) {
      // `<pri>`: rare; read on its own.
      if (start !== 0 || end !== text.length) return this.next(text.slice(start, end));
      const close = text.indexOf('>', 1);
      if (close < 2 || close > 4) return false;
      if (text.charCodeAt(close + 1) === 49 && text.charCodeAt(close + 2) === 32)
        return this.#rfc5424(text, close + 3);
      const d = text.charCodeAt(close + 1);
      return d >= 48 && d <= 57
        ? this.#rfc3339Line(text, close + 1, end)
        : this.#classic(text, close + 1, end);
    }
    return c >= 48 && c <= 57 ? this.#rfc3339Line(text, start, end) : this.#classic(text, start, end);
  }

  #classic(text: string, start: number, end: number): boolean {
    const head = this.#head;
    if (
      head.length > 0 &&
      start + head.length < end &&
      text.charCodeAt(start + this.#headStampEnd - 1) === this.#headSecond &&
      text.endsWith(head, start + head.length) &&
      (this.#clock.fixed || this.#clock.now() < this.#headUntil) &&
      this.#headPid(text, start + head.length, end)
    )
      return true;
    const read = this.#classicLine(text, start, end);
    // Kept for the next line when read by #knownHostTag with a pid (anything else reads it on its own).
    if (this.#headSafe && read && this.#pidOpen >= 0) {
      this.#head = text.slice(start, this.#pidOpen + 1);
      this.#headStampEnd = this.#stamp.length;
      this.#headSecond = text.charCodeAt(start + this.#stamp.length - 1);
      this.#headTime = this.time;
      this.#headHost = this.host ?? '';
      this.#headProgram = this.program;
      this.#headUntil = this.#stampUntil;
    }
    return read;
  }

  // The rest of a line that starts as #head: `<pid>]:` and a space or the end, read as #knownHostTag reads it; false
  // (and nothing set) when it is anything else, which the general reading then decides.
  #headPid(text: string, from: number, lineEnd: number): boolean {
    let i = from;
    let n = 0;
    while (i < lineEnd) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      i++;
    }
    if (i === from || i - from > 10 || text.charCodeAt(i) !== 93) return false;
    const colon = i + 1;
    if (colon >= lineEnd || text.charCodeAt(colon) !== 58) return false;
    const space = colon + 1;
    if (space < lineEnd && text.charCodeAt(space) !== 32) return false;
    this.time = this.#headTime;
    this.host = this.#headHost;
    this.program = this.#headProgram;
    this.pid = n;
    this.messageText = text;
    this.messageStart = space >= lineEnd ? lineEnd : space + 1;
    this.messageEnd = lineEnd;
    return true;
  }

  #classicLine(text: string, start: number, end: number): boolean {
    // The stamp of the previous line, and still the same time: it was checked then, so it needs no check now. Its
    // last character, of the seconds, which differ most, first; then one call compares it (endsWith, which optimized
    // code does not unroll into reads of single characters as it does startsWith).
    const previous = this.#stamp;
    const length = previous.length;
    if (
      length > 0 &&
      start + length < end &&
      text.charCodeAt(start + length) === 32 &&
      text.charCodeAt(start + length - 1) === previous.charCodeAt(length - 1) &&
      text.endsWith(previous, start + length) &&
      (this.#clock.fixed || this.#clock.now() < this.#stampUntil)
    ) {
      if (!this.#tag(text, start + length + 1, end)) return false;
      this.time = this.#time;
      return true;
    }
    // `Mmm dd hh:mm:ss ` with the day as `5`, ` 5` or `05`.
    let i = start + 3;
    if (i >= end || text.charCodeAt(i) !== 32) return false;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i >= end) return false;
    const d1 = text.charCodeAt(i) - 48;
    if (d1 < 0 || d1 > 9) return false;
    i++;
    const d2 = i < end ? text.charCodeAt(i) - 48 : -1;
    if (d2 >= 0 && d2 <= 9) i++;
    const stampEnd = i + 9;
    if (stampEnd >= end) return false;
    if (text.charCodeAt(i) !== 32 || text.charCodeAt(i + 3) !== 58 || text.charCodeAt(i + 6) !== 58)
      return false;
    if (text.charCodeAt(stampEnd) !== 32) return false;
    if (!this.#tag(text, stampEnd + 1, end)) return false;
    const stamp = text.slice(start, stampEnd);
    const hour = toInt(text, i + 1, i + 3);
    const minute = toInt(text, i + 4, i + 6);
    const second = toInt(text, i + 7, i + 9);
    const day = d2 >= 0 && d2 <= 9 ? d1 * 10 + d2 : d1;
    if (hour === undefined || minute === undefined || second === undefined) return false;
    const time = this.#clock.classic(monthOf(text, start), day, hour, minute, second);
    if (time === undefined) return false;
    this.#stamp = stamp;
    this.#stampUntil = this.#clock.lastValidUntil;
    this.time = this.#time = time;
    return true;
  }

  #rfc3339Line(text: string, start: number, end: number): boolean {
    const space = text.indexOf(' ', start);
    if (space < 0 || space >= end || start + 10 >= end) return false;
    if (text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 10) !== 84) return false;
    if (!this.#tag(text, space + 1, end)) return false;
    const stamp = text.slice(start, space);
    let time: string | undefined;
    if (stamp.length === RSYSLOG_STAMP) {
      // rfc3339Time's first case, as it reads it.
      const second = this.#rfcSecond;
      if (
        second.length > 0 &&
        text.endsWith(second, start + 20) &&
        isDigits(text, start + 20, start + 26) &&
        text.endsWith(this.#rfcOffset, space)
      ) {
        time = stamp;
      } else if (isRsyslogStamp(stamp)) {
        time = stamp;
        this.#rfcSecond = stamp.slice(0, 20);
        this.#rfcOffset = stamp.slice(26);
      }
    }
    time ??= rfc3339Time(stamp, this.#clock);
    if (time === undefined) return false;
    this.time = time;
    return true;
  }

  // `host prog[pid]: msg`, `prog[pid]: msg`, `host prog: msg`, `[prog]: msg`, `[prog] msg`; the line ends at `lineEnd`.
  #tag(text: string, from: number, lineEnd: number): boolean {
    const quick = this.#knownHostTag(text, from, lineEnd);
    if (quick !== undefined) return quick;
    let start = from;
    let end = spaceAt(text, start, lineEnd);
    if (end >= lineEnd) return false;
    let hostStart = -1;
    let hostEnd = -1;
    if (text.charCodeAt(end - 1) !== 58 && text.charCodeAt(start) !== 91) {
      hostStart = start;
      hostEnd = end;
      start = end + 1;
      end = spaceAt(text, start, lineEnd);
    }
    let tagEnd = end;
    if (text.charCodeAt(tagEnd - 1) === 58) tagEnd--;
    let nameStart = start;
    let nameEnd: number;
    let pid: number | undefined;
    if (start < lineEnd && text.charCodeAt(start) === 91) {
      if (text.charCodeAt(tagEnd - 1) !== 93) return false;
      nameStart = start + 1;
      nameEnd = tagEnd - 1;
    } else if (text.charCodeAt(tagEnd - 1) === 93) {
      nameEnd = tagEnd - 2;
      while (nameEnd > start && text.charCodeAt(nameEnd) !== 91) nameEnd--;
      if (nameEnd <= start) return false;
      pid = toInt(text, nameEnd + 1, tagEnd - 1);
      if (pid === undefined) return false;
    } else {
      if (tagEnd === end) return false;
      nameEnd = tagEnd;
    }
    if (nameEnd <= nameStart) return false;
    const program = this.#program(text, nameStart, nameEnd);
    if (program === undefined) return false;
    let host: string | undefined;
    if (hostStart >= 0) {
      // The same host name object line after line, compared in place: no copy, and cheaper to hash downstream.
      const known = this.#host;
      if (known.length === hostEnd - hostStart && text.endsWith(known, hostEnd)) host = known;
      else host = this.#host = text.slice(hostStart, hostEnd);
    }
    this.host = host;
    this.program = program;
    this.pid = pid;
    this.messageText = text;
    this.messageStart = end >= lineEnd ? lineEnd : end + 1;
    this.messageEnd = lineEnd;
    return true;
  }

  /**
   * {@link SyslogLineReader.#tag} for the common line: the host of the previous line, then `name[pid]: ` or `name: `
   * of a wanted program, matched with a few endsWith calls instead of a walk over every character. True or false
   * when that settles the line (it is read, or it is certainly no wanted program's), undefined when {@link #tag}'s
   * general reading must decide. It reads exactly what that reading would.
   */
  #knownHostTag(text: string, from: number, lineEnd: number): boolean | undefined {
    this.#pidOpen = -1;
    const host = this.#host;
    const programs = this.#programs;
    const start = from + host.length + 1;
    if (
      programs === undefined ||
      host.length === 0 ||
      start >= lineEnd ||
      text.charCodeAt(start - 1) !== 32 ||
      !text.endsWith(host, from + host.length)
    )
      return undefined;
    const first = text.charCodeAt(start);
    // The general reading turns such a tag down too (a `[prog]` tag starts with `[`, and is read there).
    if (first === 91) return undefined;
    const names = first < 128 ? this.#byFirst[first] : undefined;
    if (names === undefined) return false;
    for (const name of names) {
      // The character after the name first: it turns down the longer names of the same first letter in one compare.
      const after = start + name.length;
      const c = text.charCodeAt(after);
      if ((c !== 91 && c !== 58) || !text.endsWith(name, after)) continue;
      let pid: number | undefined;
      let colon = after;
      if (c === 91) {
        let i = after + 1;
        let n = 0;
        while (i < lineEnd) {
          const d = text.charCodeAt(i) - 48;
          if (d < 0 || d > 9) break;
          n = n * 10 + d;
          i++;
        }
        if (i === after + 1 || i - after - 1 > 10 || text.charCodeAt(i) !== 93) return undefined;
        pid = n;
        colon = i + 1;
      }
      // A name that ends in `]` without a pid is read as a `[pid]` by the general reading.
      else if (name.charCodeAt(name.length - 1) === 93) return undefined;
      if (colon >= lineEnd || text.charCodeAt(colon) !== 58) return undefined;
      const space = colon + 1;
      if (space < lineEnd && text.charCodeAt(space) !== 32) return undefined;
      this.host = host;
      this.program = name;
      this.pid = pid;
      this.messageText = text;
      this.messageStart = space >= lineEnd ? lineEnd : space + 1;
      this.messageEnd = lineEnd;
      if (c === 91) this.#pidOpen = after;
      return true;
    }
    return undefined;
  }

  #program(text: string, start: number, end: number): string | undefined {
    if (this.#programs === undefined) return text.slice(start, end);
    const first = text.charCodeAt(start);
    const names = first < 128 ? this.#byFirst[first] : undefined;
    if (names === undefined) return undefined;
    const length = end - start;
    for (const name of names) {
      if (name.length !== length) continue;
      let i = 1;
      while (i < length && text.charCodeAt(start + i) === name.charCodeAt(i)) i++;
      if (i === length) return name;
    }
    return undefined;
  }

  // `<pri>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`, `-` for a missing field.
  #rfc5424(text: string, start: number): boolean {
    const fields: string[] = [];
    let i = start;
    for (let n = 0; n < 5; n++) {
      const end = text.indexOf(' ', i);
      if (end < 0) return false;
      fields.push(text.slice(i, end));
      i = end + 1;
    }
    const [stamp = '-', host = '-', program = '-', procid = '-'] = fields;
    if (program === '-' || (this.#programs !== undefined && !this.#programs.has(program))) return false;
    const sdEnd = structuredDataEnd(text, i);
    if (sdEnd < 0) return false;
    let message = sdEnd >= text.length ? '' : text.slice(sdEnd + 1);
    if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
    const time = stamp === '-' ? undefined : rfc3339Time(stamp, this.#clock);
    if (time === undefined) return false;
    this.time = time;
    this.host = host === '-' ? undefined : host;
    this.program = program;
    this.pid = procid === '-' ? undefined : toInt(procid, 0, procid.length);
    this.messageText = message;
    this.messageStart = 0;
    this.messageEnd = message.length;
    return true;
  }
}

// `Jan`…`Dec` at `at` as 1-12, 0 for anything else.
function monthOf(text: string, at: number): number {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  const c = text.charCodeAt(at + 2);
  let m = 0;
  if (a === 74)
    m = b === 97 ? (c === 110 ? 1 : 0) : c === 110 ? 6 : c === 108 ? 7 : 0; // Jan Jun Jul
  else if (a === 70)
    m = c === 98 ? 2 : 0; // Feb
  else if (a === 77)
    m = c === 114 ? 3 : c === 121 ? 5 : 0; // Mar May
  else if (a === 65)
    m = b === 112 ? 4 : b === 117 ? 8 : 0; // Apr Aug
  else if (a === 83)
    m = 9; // Sep
  else if (a === 79)
    m = 10; // Oct
  else if (a === 78)
    m = 11; // Nov
  else if (a === 68) m = 12; // Dec
  return m !== 0 && text.endsWith(MONTH_NAMES[m - 1] ?? '', at + 3) ? m : 0;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Index of the first space in text[from, end), else end. By hand: for the few characters of a host or tag, a loop
// beats a call to String.prototype.indexOf.
function spaceAt(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && text.charCodeAt(i) !== 32) i++;
  return i;
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

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?$/;

/** ISO-8601 text of an RFC 3339 timestamp: kept as written when it has an offset, else read as local time. */
export function rfc3339Time(stamp: string, clock: SyslogClock): string | undefined {
  // rsyslog's own form, `2025-05-20T10:00:00.123456+02:00`, is checked without a regular expression.
  if (stamp.length === RSYSLOG_STAMP && isRsyslogStamp(stamp)) return stamp;
  const m = RFC3339.exec(stamp);
  if (m === null) return undefined;
  const zone = m[8];
  if (zone !== undefined) {
    const normal = zone === 'z' ? 'Z' : zone;
    if (stamp.charCodeAt(10) === 84 && normal === zone) return stamp;
    return `${stamp.slice(0, 10)}T${stamp.slice(11, stamp.length - zone.length)}${normal}`;
  }
  return clock.wall(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    m[7] ?? '',
  );
}

const RSYSLOG_STAMP = 32;

// Whether text[from, to) holds digits only.
function isDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

// Template `dddd-dd-ddTdd:dd:dd.dddddd±dd:dd`.
function isRsyslogStamp(s: string): boolean {
  for (let i = 0; i < 32; i++) {
    const c = s.charCodeAt(i);
    switch (i) {
      case 4:
      case 7:
        if (c !== 45) return false;
        break;
      case 10:
        if (c !== 84) return false;
        break;
      case 13:
      case 16:
      case 29:
        if (c !== 58) return false;
        break;
      case 19:
        if (c !== 46) return false;
        break;
      case 26:
        if (c !== 43 && c !== 45) return false;
        break;
      default:
        if (c < 48 || c > 57) return false;
    }
  }
  return true;
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
