import { parseJournalRecord } from './journal-record.js';
import type { LogRecord } from './log-record.js';
import type { SecurityEvent } from './security-event.js';
import { SECURITY_PROGRAMS, parseSecurityMessage } from './security-message.js';
import type { SshdEvent } from './sshd-event.js';
import { ProcessTable } from './process-table.js';
import { SshdMessageReader } from './sshd-message.js';
import { SyslogClock, type SyslogClockOptions } from './syslog-clock.js';
import { SyslogLineReader } from './syslog-line.js';

/** How input lines are read: `syslog` (classic, RFC 3339, RFC 5424), `journal` (`journalctl -o json`), or `auto` per line. */
export type AuthLogFormat = 'auto' | 'syslog' | 'journal';

/** The formats {@link AuthLogScanner} reads. */
export const AUTH_LOG_FORMATS: readonly AuthLogFormat[] = ['auto', 'syslog', 'journal'];

/** An event read from an auth log: an sshd event (it has `event`) or another security event (it has `type`). */
export type AuthEvent = SshdEvent | SecurityEvent;

/** Settings of an {@link AuthLogScanner}: the clock and zone of {@link SyslogClockOptions}, and limits. */
export interface AuthLogScannerOptions extends SyslogClockOptions {
  /** Default `auto`: a line starting with `{` is a journal record, any other a syslog line. */
  readonly format?: AuthLogFormat | undefined;
  /** How many unrecognised sshd lines to keep as samples; default 10. */
  readonly maxSamples?: number | undefined;
  /** How many sshd processes to remember the peer of; the least recently seen is forgotten first. Default 16,384. */
  readonly maxProcesses?: number | undefined;
}

/** An sshd line the parser did not recognise (format drift), as read. */
export interface UnparsedSample {
  readonly line: number;
  readonly text: string;
}

/** The program names sshd logs under: `sshd`, `sshd-session` (OpenSSH >= 9.8) and `sshd-auth` (OpenSSH >= 10). */
export const SSHD_PROGRAMS: ReadonlySet<string> = new Set(['sshd', 'sshd-session', 'sshd-auth']);

const WANTED: ReadonlySet<string> = new Set([...SSHD_PROGRAMS, ...SECURITY_PROGRAMS]);

// SSHD_PROGRAMS.has without a hash lookup: the syslog reader hands out the very strings of WANTED, which compare by
// identity (any other string compares by content, with the same answer).
function isSshd(program: string): boolean {
  return program === 'sshd' || program === 'sshd-session' || program === 'sshd-auth';
}

/**
 * Reads an auth log line by line into {@link SshdEvent}s and {@link SecurityEvent}s. It remembers, per host and sshd
 * process id, the peer that process serves, so a line that does not name it (`Disconnecting: Too many
 * authentication failures`, `kex_exchange_identification: …`, PAM session lines) still gets its `source`. It counts
 * sshd lines it does not recognise and keeps a few. Feed it each line once, in order; it does no I/O.
 */
export class AuthLogScanner {
  readonly #clock: SyslogClock;
  readonly #format: AuthLogFormat;
  readonly #maxSamples: number;
  readonly #maxProcesses: number;
  readonly #reader: SyslogLineReader;
  readonly #message = new SshdMessageReader();
  readonly #hosts = new Map<string | undefined, ProcessTable>();
  #lastHost: string | undefined = '\0';
  #lastTable: ProcessTable | undefined;
  readonly #samples: UnparsedSample[] = [];
  #unparsed = 0;
  #sshdLines = 0;

  constructor(options: AuthLogScannerOptions = {}) {
    this.#clock = new SyslogClock(options);
    this.#reader = new SyslogLineReader(this.#clock, WANTED);
    this.#format = options.format ?? 'auto';
    this.#maxSamples = options.maxSamples ?? 10;
    this.#maxProcesses = options.maxProcesses ?? 16_384;
  }

  /** How many sshd lines were not recognised. */
  get unparsed(): number {
    return this.#unparsed;
  }

  /** The first few sshd lines that were not recognised. */
  get unparsedSamples(): readonly UnparsedSample[] {
    return this.#samples;
  }

  /** How many lines came from sshd (`sshd`, `sshd-session`, `sshd-auth`). */
  get sshdLines(): number {
    return this.#sshdLines;
  }

  /**
   * The event one line stands for, if any; `line` is its 1-based number in the input. The line is `text` from `start`
   * to `end` (default: all of it): a reader of a large chunk passes the bounds of each line instead of cutting it out,
   * and lines of programs it does not read are then turned down without a copy.
   */
  scan(text: string, line: number, start = 0, end = text.length): AuthEvent | undefined {
    const format = this.#format;
    if (format === 'journal' || (format === 'auto' && text.charCodeAt(start) === 123)) {
      const json = start === 0 && end === text.length ? text : text.slice(start, end);
      const record = parseJournalRecord(json, this.#clock, WANTED);
      if (record === undefined) return undefined;
      return this.#event(record, record.message, 0, record.message.length, text, line, start, end);
    }
    // The syslog reader leaves the message where it lies: the sshd parser reads it there.
    const reader = this.#reader;
    if (!reader.next(text, start, end)) return undefined;
    return this.#event(
      reader,
      reader.messageText,
      reader.messageStart,
      reader.messageEnd,
      text,
      line,
      start,
      end,
    );
  }

  // The event of a line whose header `record` holds, its message `messageText[messageStart, messageEnd)`.
  #event(
    record: LogRecord,
    messageText: string,
    messageStart: number,
    messageEnd: number,
    text: string,
    line: number,
    start: number,
    end: number,
  ): AuthEvent | undefined {
    if (isSshd(record.program))
      return this.#sshd(record, messageText, messageStart, messageEnd, text, line, start, end);
    const security = parseSecurityMessage(record.program, record.message);
    if (security === undefined) return undefined;
    return {
      line,
      time: record.time,
      host: record.host,
      program: record.program,
      pid: record.pid,
      type: security.type,
      user: security.user,
      target: security.target,
      command: security.command,
      tty: security.tty,
      allowed: security.allowed,
      detail: security.detail,
    };
  }

  #sshd(
    record: LogRecord,
    messageText: string,
    messageStart: number,
    messageEnd: number,
    text: string,
    line: number,
    start: number,
    end: number,
  ): SshdEvent | undefined {
    this.#sshdLines++;
    const pid = record.pid;
    const table = pid === undefined ? undefined : this.#table(record.host);
    // The process's slot in its table: valid until the next table.add.
    let slot = table === undefined || pid === undefined ? -1 : table.find(pid);
    const parsed = this.#message;
    // The peers in the table are addresses the parser read.
    if (
      !parsed.read(messageText, messageStart, messageEnd, slot >= 0 ? table!.source(slot) : undefined, true)
    ) {
      this.#unparsed++;
      if (this.#samples.length < this.#maxSamples)
        this.#samples.push({ line, text: text.slice(start, Math.min(end, start + 1000)) });
      return undefined;
    }
    let { source, port, event } = parsed;
    if (table !== undefined && pid !== undefined && parsed.binds && source !== undefined) {
      if (slot < 0 || event === 'connection') {
        slot = table.add(pid);
        table.setPeer(slot, source, port);
      } else if (table.source(slot) !== source) {
        // Without `LogLevel VERBOSE` no `Connection from` line marks a reused pid: a new peer starts afresh.
        table.setPeer(slot, source, port);
      } else if (table.port(slot) === undefined) {
        table.setPort(slot, port);
      }
    }
    if (parsed.childPid !== undefined && slot >= 0 && table !== undefined) {
      // The post-login child logs the disconnect; it serves the same peer. Adding it may move this process's slot.
      const peer = table.source(slot);
      const peerPort = table.port(slot);
      const child = table.add(parsed.childPid);
      table.setPeer(child, peer, peerPort);
      slot = event === undefined || pid === undefined ? -1 : table.find(pid);
    }
    if (event === undefined) return undefined;
    if (slot >= 0) {
      const known = table!.source(slot);
      if (source === undefined) source = known;
      if (port === undefined && source === known) port = table!.port(slot);
    }
    if (event === 'too_many_failures' && table !== undefined && pid !== undefined) {
      if (slot < 0) slot = table.add(pid);
      if (table.tooMany(slot)) event = 'disconnected';
      table.setTooMany(slot);
    }
    return {
      line,
      time: record.time,
      host: record.host,
      pid: record.pid,
      event,
      source,
      user: parsed.user,
      port,
      method: parsed.method,
      count: parsed.count,
    };
  }

  #table(host: string | undefined): ProcessTable {
    if (host === this.#lastHost && this.#lastTable !== undefined) return this.#lastTable;
    let table = this.#hosts.get(host);
    if (table === undefined) {
      table = new ProcessTable(this.#maxProcesses);
      this.#hosts.set(host, table);
    }
    this.#lastHost = host;
    this.#lastTable = table;
    return table;
  }
}
