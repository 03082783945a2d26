import { parseJournalRecord } from './journal-record.js';
import type { LogRecord } from './log-record.js';
import type { SecurityEvent } from './security-event.js';
import { SECURITY_PROGRAMS, parseSecurityMessage } from './security-message.js';
import type { SshdEvent } from './sshd-event.js';
import { parseSshdMessage } from './sshd-message.js';
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

interface ProcessState {
  source: string | undefined;
  port: number | undefined;
  /** A too-many-failures event was reported: sshd's `Disconnecting …: Too many authentication failures` that follows is a disconnect. */
  tooMany: boolean;
}

const WANTED: ReadonlySet<string> = new Set([...SSHD_PROGRAMS, ...SECURITY_PROGRAMS]);

/**
 * The sshd processes of one host by pid, forgetting the least recently used: two generations of maps, so neither a
 * lookup nor forgetting walks the table.
 */
class ProcessTable {
  #young = new Map<number, ProcessState>();
  #old = new Map<number, ProcessState>();
  readonly #half: number;

  constructor(max: number) {
    this.#half = Math.max(1, Math.floor(max / 2));
  }

  get(pid: number): ProcessState | undefined {
    const state = this.#young.get(pid);
    if (state !== undefined) return state;
    const old = this.#old.get(pid);
    if (old !== undefined) this.set(pid, old);
    return old;
  }

  set(pid: number, state: ProcessState): void {
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(pid, state);
  }
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
    const record = this.#read(text, start, end);
    if (record === undefined) return undefined;
    if (SSHD_PROGRAMS.has(record.program)) return this.#sshd(record, text, line, start, end);
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

  #read(text: string, start: number, end: number): LogRecord | undefined {
    const format = this.#format;
    const journal = format === 'journal' || (format === 'auto' && text.charCodeAt(start) === 123);
    if (journal) {
      const record = start === 0 && end === text.length ? text : text.slice(start, end);
      return parseJournalRecord(record, this.#clock, WANTED);
    }
    return this.#reader.next(text, start, end) ? this.#reader : undefined;
  }

  #sshd(record: LogRecord, text: string, line: number, start: number, end: number): SshdEvent | undefined {
    this.#sshdLines++;
    const pid = record.pid;
    const table = pid === undefined ? undefined : this.#table(record.host);
    let state = pid === undefined ? undefined : table?.get(pid);
    const parsed = parseSshdMessage(record.message, state?.source);
    if (parsed === undefined) {
      this.#unparsed++;
      if (this.#samples.length < this.#maxSamples)
        this.#samples.push({ line, text: text.slice(start, Math.min(end, start + 1000)) });
      return undefined;
    }
    let { source, port, event } = parsed;
    if (table !== undefined && pid !== undefined && parsed.binds && source !== undefined) {
      if (state === undefined || event === 'connection') {
        state = { source, port, tooMany: false };
        table.set(pid, state);
      } else if (state.source !== source) {
        // Without `LogLevel VERBOSE` no `Connection from` line marks a reused pid: a new peer starts afresh.
        state.source = source;
        state.port = port;
        state.tooMany = false;
      } else if (state.port === undefined) {
        state.port = port;
      }
    }
    if (parsed.childPid !== undefined && state !== undefined && table !== undefined) {
      // The post-login child logs the disconnect; it serves the same peer.
      table.set(parsed.childPid, { source: state.source, port: state.port, tooMany: false });
    }
    if (event === undefined) return undefined;
    if (state !== undefined) {
      if (source === undefined) source = state.source;
      if (port === undefined && source === state.source) port = state.port;
    }
    if (event === 'too_many_failures' && table !== undefined && pid !== undefined) {
      if (state === undefined) {
        state = { source: undefined, port: undefined, tooMany: false };
        table.set(pid, state);
      }
      if (state.tooMany) event = 'disconnected';
      state.tooMany = true;
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
