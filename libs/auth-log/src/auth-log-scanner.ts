import { parseJournalRecord } from './journal-record.js';
import type { LogRecord } from './log-record.js';
import type { SecurityEvent } from './security-event.js';
import { SECURITY_PROGRAMS, parseSecurityMessage } from './security-message.js';
import type { SshdEvent } from './sshd-event.js';
import { parseSshdMessage } from './sshd-message.js';
import { SyslogClock, type SyslogClockOptions } from './syslog-clock.js';
import { parseSyslogLine } from './syslog-line.js';

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
  /** How many sshd processes to remember the peer of; the oldest is forgotten first. Default 65,536. */
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

const wanted = (program: string): boolean => SSHD_PROGRAMS.has(program) || SECURITY_PROGRAMS.has(program);

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
  readonly #processes = new Map<string, ProcessState>();
  readonly #samples: UnparsedSample[] = [];
  #unparsed = 0;
  #sshdLines = 0;

  constructor(options: AuthLogScannerOptions = {}) {
    this.#clock = new SyslogClock(options);
    this.#format = options.format ?? 'auto';
    this.#maxSamples = options.maxSamples ?? 10;
    this.#maxProcesses = options.maxProcesses ?? 65_536;
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

  /** The event one line stands for, if any; `line` is its 1-based number in the input. */
  scan(text: string, line: number): AuthEvent | undefined {
    const record = this.#read(text);
    if (record === undefined) return undefined;
    if (SSHD_PROGRAMS.has(record.program)) return this.#sshd(record, text, line);
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

  #read(text: string): LogRecord | undefined {
    const format = this.#format;
    const journal = format === 'journal' || (format === 'auto' && text.charCodeAt(0) === 123);
    return journal ? parseJournalRecord(text, this.#clock, wanted) : parseSyslogLine(text, this.#clock, wanted);
  }

  #sshd(record: LogRecord, text: string, line: number): SshdEvent | undefined {
    this.#sshdLines++;
    const key = record.pid === undefined ? undefined : `${record.host ?? ''} ${record.pid}`;
    let state = key === undefined ? undefined : this.#processes.get(key);
    const parsed = parseSshdMessage(record.message, state?.source);
    if (parsed === undefined) {
      this.#unparsed++;
      if (this.#samples.length < this.#maxSamples) this.#samples.push({ line, text: text.slice(0, 1000) });
      return undefined;
    }
    let { source, port, event } = parsed;
    if (key !== undefined && parsed.binds && source !== undefined) {
      if (state === undefined || event === 'connection') {
        state = this.#remember(key, { source, port, tooMany: false });
      } else if (state.source !== source) {
        // Without `LogLevel VERBOSE` no `Connection from` line marks a reused pid: a new peer starts afresh.
        state.source = source;
        state.port = port;
        state.tooMany = false;
      } else if (state.port === undefined) {
        state.port = port;
      }
    }
    if (parsed.childPid !== undefined && state !== undefined) {
      // The post-login child logs the disconnect; it serves the same peer.
      this.#remember(`${record.host ?? ''} ${parsed.childPid}`, { source: state.source, port: state.port, tooMany: false });
    }
    if (event === undefined) return undefined;
    if (state !== undefined) {
      if (source === undefined) source = state.source;
      if (port === undefined && source === state.source) port = state.port;
    }
    if (event === 'too_many_failures' && key !== undefined) {
      state ??= this.#remember(key, { source: undefined, port: undefined, tooMany: false });
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

  #remember(key: string, state: ProcessState): ProcessState {
    const processes = this.#processes;
    processes.delete(key);
    processes.set(key, state);
    if (processes.size > this.#maxProcesses) {
      const oldest = processes.keys().next();
      if (oldest.done !== true) processes.delete(oldest.value);
    }
    return state;
  }
}
