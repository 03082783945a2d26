import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { JournalError } from './journal-error.js';
import { journalPosition, type JournalPosition, type JournalRecord } from './journal-record.js';
import { PositionFileError } from './position-file-error.js';
import type { PositionStore } from './position-store.js';
import { SILENT_LOGGER, type SourceLogger } from './source-logger.js';

/** Journal matches of the security log: syslog facilities auth (4) and authpriv (10), where sshd, sudo, su and PAM log. */
export const AUTH_JOURNAL_MATCHES: readonly string[] = ['SYSLOG_FACILITY=4', 'SYSLOG_FACILITY=10'];

/** How a {@link JournalSource} runs `journalctl`. */
export interface JournalSourceOptions {
  /** Where the committed cursor is kept. */
  readonly positions: PositionStore;
  /** The key of the cursor in the store; default `journal`. */
  readonly positionKey?: string;
  /** The `journalctl` program; default `journalctl` from PATH. */
  readonly journalctl?: string;
  /** Arguments put before the others, e.g. `['--directory', '/var/log/journal']`. */
  readonly extraArgs?: readonly string[];
  /** Field matches of the records to read; default {@link AUTH_JOURNAL_MATCHES}. */
  readonly matches?: readonly string[];
  /** Ignore the saved cursor and read the whole journal again (the cursors repeat, so nothing doubles downstream). */
  readonly fromStart?: boolean;
  /** Read to the end of the journal and end instead of following. */
  readonly exitAtEnd?: boolean;
  /** Most records in one batch; default 1000. */
  readonly maxBatchRecords?: number;
  readonly log?: SourceLogger;
}

interface SavedCursor {
  readonly version: 1;
  readonly cursor: string;
}

const STDERR_LIMIT = 4096;

/**
 * Reads the systemd journal through `journalctl -o json`, for hosts that log only to the journal, and delivers its
 * records in batches, each with its `__CURSOR` and the sequence number it encodes as position.
 *
 * It starts after the committed cursor (`--after-cursor`); without one (first run, or `fromStart`) it reads the
 * whole journal of the matched facilities (`--lines=all`), as the file tailer reads a log file from its start. The
 * cursor is saved only on {@link JournalSource.commit}, after the broker acknowledged, so a crash re-reads the
 * records after it, with the same cursors.
 */
export class JournalSource implements AsyncIterable<readonly JournalRecord[]> {
  readonly #positions: PositionStore;
  readonly #key: string;
  readonly #journalctl: string;
  readonly #extraArgs: readonly string[];
  readonly #matches: readonly string[];
  readonly #fromStart: boolean;
  readonly #exitAtEnd: boolean;
  readonly #maxRecords: number;
  readonly #log: SourceLogger;
  #started = false;
  #stopped = false;
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #committed: string | undefined;
  #saving: Promise<void> = Promise.resolve();
  #saveQueued = false;

  constructor(options: JournalSourceOptions) {
    this.#positions = options.positions;
    this.#key = options.positionKey ?? 'journal';
    this.#journalctl = options.journalctl ?? 'journalctl';
    this.#extraArgs = options.extraArgs ?? [];
    this.#matches = options.matches ?? AUTH_JOURNAL_MATCHES;
    this.#fromStart = options.fromStart ?? false;
    this.#exitAtEnd = options.exitAtEnd ?? false;
    this.#maxRecords = options.maxBatchRecords ?? 1000;
    this.#log = options.log ?? SILENT_LOGGER;
  }

  /** Delivers batches of records until {@link stop} (or, with `exitAtEnd`, the end); throws {@link JournalError} if journalctl fails. */
  [Symbol.asyncIterator](): AsyncIterator<readonly JournalRecord[]> {
    if (this.#started) throw new Error('a JournalSource is iterated once');
    this.#started = true;
    return this.#run();
  }

  /** The last committed cursor. */
  get committed(): string | undefined {
    return this.#committed;
  }

  /** Durably saves `position` (of a delivered record) as read: the next start reads the records after it. */
  commit(position: Pick<JournalPosition, 'cursor'>): Promise<void> {
    const cursor = position.cursor;
    this.#committed = cursor;
    if (this.#saveQueued) return this.#saving;
    this.#saveQueued = true;
    this.#saving = this.#saving
      .catch(() => undefined)
      .then(async () => {
        this.#saveQueued = false;
        const saved: SavedCursor = { version: 1, cursor: this.#committed ?? cursor };
        await this.#positions.save(this.#key, saved);
      });
    return this.#saving;
  }

  /** Ends the iteration and stops journalctl. */
  stop(): void {
    this.#stopped = true;
    this.#child?.kill('SIGTERM');
  }

  /** The arguments journalctl is run with, after the saved cursor (if any). */
  argumentsFor(cursor: string | undefined): string[] {
    const args = [...this.#extraArgs, '--output=json', '--no-pager', '--quiet'];
    if (!this.#exitAtEnd) args.push('--follow');
    if (cursor !== undefined) args.push(`--after-cursor=${cursor}`);
    else args.push('--lines=all');
    return [...args, ...this.#matches];
  }

  async *#run(): AsyncGenerator<readonly JournalRecord[]> {
    const cursor = this.#fromStart ? undefined : await this.#loadCursor();
    this.#committed = cursor;
    if (this.#stopped) return;
    const child = spawn(this.#journalctl, this.argumentsFor(cursor), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += text;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    try {
      let pending = '';
      for await (const chunk of child.stdout) {
        pending += (chunk as Buffer).toString('utf8');
        const end = pending.lastIndexOf('\n');
        if (end < 0) continue;
        const records = this.#records(pending.slice(0, end));
        pending = pending.slice(end + 1);
        for (let at = 0; at < records.length && !this.#stopped; at += this.#maxRecords) {
          yield records.slice(at, at + this.#maxRecords);
        }
        if (this.#stopped) return;
      }
      const result = await exited;
      if (this.#stopped) return;
      if (result.error !== undefined) {
        throw new JournalError(`cannot run ${this.#journalctl}: ${result.error.message}`, null, { cause: result.error });
      }
      if (result.code === 0 && this.#exitAtEnd) return;
      const how = result.code === null ? `was killed by ${result.signal ?? 'a signal'}` : `exited with code ${result.code}`;
      throw new JournalError(`${this.#journalctl} ${how}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`, result.code);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      this.#child = undefined;
    }
  }

  #records(text: string): JournalRecord[] {
    const records: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let cursor: unknown;
      try {
        cursor = (JSON.parse(line) as { __CURSOR?: unknown }).__CURSOR;
      } catch (err) {
        this.#log.warn({ err, line: line.slice(0, 200) }, 'journalctl printed a line that is not JSON');
        continue;
      }
      if (typeof cursor !== 'string') {
        this.#log.warn({ line: line.slice(0, 200) }, 'journal record without __CURSOR');
        continue;
      }
      records.push({ text: line, position: journalPosition(cursor) });
    }
    return records;
  }

  async #loadCursor(): Promise<string | undefined> {
    const value = await this.#positions.load(this.#key);
    if (value === undefined) return undefined;
    const saved = value as Partial<SavedCursor>;
    if (typeof value !== 'object' || value === null || saved.version !== 1 || typeof saved.cursor !== 'string') {
      throw new PositionFileError(this.#positions.fileOf(this.#key), 'not a saved journal cursor');
    }
    return saved.cursor;
  }
}
