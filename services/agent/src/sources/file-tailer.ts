import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { readFingerprint } from './fingerprint.js';
import { LineSplitter } from './line-splitter.js';
import type { LinePosition } from './line-position.js';
import type { PositionStore } from './position-store.js';
import { PositionFileError } from './position-file-error.js';
import { openRotatedSiblings, readRotatedFrom, type OpenRotatedFile, type RotatedFile } from './rotated-file.js';
import { SILENT_LOGGER, type SourceLogger } from './source-logger.js';
import type { TailLine } from './tail-line.js';

/** How a {@link FileTailer} follows one log file. */
export interface FileTailerOptions {
  /** The log file, e.g. `/var/log/auth.log`. */
  readonly path: string;
  /** Where the committed read position is kept. */
  readonly positions: PositionStore;
  /** The key of this file's position in the store; default `file:<path>`. */
  readonly positionKey?: string;
  /** Ignore the saved position and read the current file from its first byte (the ids repeat, so nothing doubles downstream). */
  readonly fromStart?: boolean;
  /** Read what is there (rotated files left from a stop, then the file) and end instead of following. */
  readonly exitAtEnd?: boolean;
  /** How often the file's identity is checked when no change event arrived; default 15,000 ms with `watch`, else 1000 ms. */
  readonly pollIntervalMs?: number;
  /** How long a rotated-away file must stay unchanged before reading moves on to the new one; default 2000 ms. */
  readonly rotationGraceMs?: number;
  /** Whether to listen for chokidar change events (the poll runs either way); default true. */
  readonly watch?: boolean;
  /** Most lines in one batch; default 1000. */
  readonly maxBatchLines?: number;
  readonly log?: SourceLogger;
}

/** What the tailer saves: the next byte to read of the file with that fingerprint. */
interface SavedFilePosition {
  readonly version: 1;
  readonly path: string;
  readonly fingerprint: string;
  readonly offset: number;
  /**
   * The files reading turned to after that one, oldest first, with lines delivered but not all committed: should
   * the saved file be gone when the agent starts (truncated with no copy), reading resumes at the oldest of them
   * still there. Absent when there are none.
   */
  readonly after?: readonly string[];
}

/** A saved position as read back: `after` is empty when the file had none. */
type LoadedFilePosition = SavedFilePosition & { readonly after: readonly string[] };

/** Most fingerprints kept in {@link SavedFilePosition.after}. */
const MAX_AFTER = 16;

interface LiveFile {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
  splitter: LineSplitter;
  /** When the path was first seen naming another file while this one was being read. */
  replacedAt: number | undefined;
  /** When a read last returned bytes. */
  lastDataAt: number;
}

interface QueuedFile {
  readonly file: OpenRotatedFile;
  readonly fingerprint: string;
  readonly offset: number;
}

const CHUNK_BYTES = 64 * 1024;
const DRAIN_ATTEMPTS = 5;
const MISSING_CHECKS = 10;

/**
 * Follows one log file across rotation and delivers its complete lines in batches, each line with a
 * {@link LinePosition} that names the file's content (fingerprint) and the line's byte offset.
 *
 * Reading runs ahead of what is committed; the saved position moves only on {@link FileTailer.commit}, which the
 * caller invokes once the broker has acknowledged the lines up to that position. After a crash the lines after
 * the last commit are delivered again, with the same positions. The file's identity (device, inode, size and
 * fingerprint) is checked on every chokidar event, on a poll and after every read, so it survives rename + create,
 * copytruncate, truncate, delete + recreate, inode reuse and rotation while the agent was stopped (the rotated file
 * is found among `<path>.1`, `<path>.1.gz`, `<path>-YYYYMMDD[.gz]`, … by its fingerprint and drained first).
 */
export class FileTailer implements AsyncIterable<readonly TailLine[]> {
  /** The followed path. */
  readonly path: string;
  readonly #positions: PositionStore;
  readonly #key: string;
  readonly #fromStart: boolean;
  readonly #exitAtEnd: boolean;
  readonly #pollMs: number;
  readonly #graceMs: number;
  readonly #useWatch: boolean;
  #readBuffer: Buffer | undefined;
  readonly #maxLines: number;
  readonly #log: SourceLogger;

  #started = false;
  #stopped = false;
  #wakeUp: (() => void) | undefined;
  #woken = false;
  #watcher: FSWatcher | undefined;
  #live: LiveFile | undefined;
  /**
   * Files that stood at the path after the live one, in the order seen, held open from the moment they were
   * noticed: should one be rotated away (and compressed) before reading reaches it, it is still read whole.
   */
  #successors: LiveFile[] = [];
  /** Fingerprints of the files read to their end lately, never queued again as files rotated after another. */
  readonly #finished: string[] = [];
  /** The fingerprint of the last file read to its end: where a gap in the rotated files is looked for. */
  #lastFinished: string | undefined;
  /** The file of the saved position, not found at the start, looked for again at the next few checks. */
  #missing: { fingerprint: string; offset: number; checksLeft: number } | undefined;
  /** A change event or the poll came since the path was last looked at. */
  #pathMayHaveChanged = false;
  #queue: QueuedFile[] = [];
  /** The committed position, and the fingerprints delivered after it in delivery order. */
  #committed: { fingerprint: string; offset: number } | undefined;
  #deliveredOrder: string[] = [];
  /** Just past the last line delivered in this run. */
  #deliveredEnd: { fingerprint: string; offset: number } | undefined;
  #saving: Promise<void> = Promise.resolve();
  #saveQueued = false;

  constructor(options: FileTailerOptions) {
    this.path = options.path;
    this.#positions = options.positions;
    this.#key = options.positionKey ?? `file:${options.path}`;
    this.#fromStart = options.fromStart ?? false;
    this.#exitAtEnd = options.exitAtEnd ?? false;
    this.#useWatch = options.watch ?? true;
    // With change events the poll is only the safety net (a lost event, a file system without inotify), and each
    // poll's identity checks (four asynchronous file operations) cost about 0.9 ms of CPU: every 5 s that was a
    // third of the agent's CPU at a 10 s stats interval (measured: 11 ms a minute with an idle log, none without the
    // poll). Every 15 s a lost event is still made good within a quarter of a minute.
    this.#pollMs = options.pollIntervalMs ?? (this.#useWatch ? 15_000 : 1000);
    this.#graceMs = options.rotationGraceMs ?? 2000;
    this.#maxLines = options.maxBatchLines ?? 1000;
    this.#log = options.log ?? SILENT_LOGGER;
  }

  /** Delivers batches of lines until {@link stop} (or, with `exitAtEnd`, until the end); one iteration per tailer. */
  [Symbol.asyncIterator](): AsyncIterator<readonly TailLine[]> {
    if (this.#started) throw new Error(`${this.path}: a FileTailer is iterated once`);
    this.#started = true;
    return this.#run();
  }

  /**
   * Saves `position` (of a delivered line) as read, durably: reading resumes after it on the next start. Commits
   * follow delivery order; a position at or before the last commit is ignored.
   */
  async commit(position: LinePosition): Promise<void> {
    const at = this.#deliveredOrder.indexOf(position.fingerprint);
    if (at < 0) return;
    const committed = this.#committed;
    if (at === 0 && committed?.fingerprint === position.fingerprint && position.nextOffset <= committed.offset) return;
    this.#committed = { fingerprint: position.fingerprint, offset: position.nextOffset };
    this.#deliveredOrder = this.#deliveredOrder.slice(at);
    await this.#save();
  }

  /** The last committed position: the fingerprint of a file and the next byte to read in it. */
  get committed(): { readonly fingerprint: string; readonly offset: number } | undefined {
    return this.#committed;
  }

  /** Ends the iteration: a pending wait returns at once and files and watchers are closed. */
  stop(): void {
    this.#stopped = true;
    this.#wake();
  }

  #save(): Promise<void> {
    // Commits that arrive while a save runs are folded into one next save of the newest position.
    if (this.#saveQueued) return this.#saving;
    this.#saveQueued = true;
    this.#saving = this.#saving
      .catch(() => undefined)
      .then(async () => {
        this.#saveQueued = false;
        const committed = this.#committed;
        if (committed === undefined) return;
        const after = this.#deliveredOrder.slice(1, 1 + MAX_AFTER);
        const saved: SavedFilePosition = { version: 1, path: this.path, ...committed, ...(after.length > 0 ? { after } : {}) };
        await this.#positions.save(this.#key, saved);
      });
    return this.#saving;
  }

  async *#run(): AsyncGenerator<readonly TailLine[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.#startup();
      if (!this.#exitAtEnd) {
        timer = setInterval(() => this.#wake(), this.#pollMs);
        if (this.#useWatch) this.#watcher = this.#startWatcher();
      }
      while (!this.#stopped) {
        const queued = this.#queue[0];
        if (queued !== undefined) {
          yield* this.#drainQueued(queued);
          continue;
        }
        if (this.#pathMayHaveChanged) await this.#noticeSuccessor();
        const lines = await this.#readLive();
        if (lines.length > 0) {
          yield* this.#batches(lines);
          continue;
        }
        if (this.#exitAtEnd) return;
        const check = await this.#checkIdentity();
        yield* this.#batches(check.lines);
        if (check.changed) continue;
        await this.#wait(check.waitMs ?? this.#pollMs);
      }
    } finally {
      if (timer !== undefined) clearInterval(timer);
      await this.#watcher?.close();
      await this.#closeLive();
      for (const queued of this.#queue) await queued.file.handle?.close();
      this.#queue = [];
    }
  }

  /** Hands out lines in batches of at most `maxBatchLines`, stopping early on {@link stop}. */
  async *#batches(lines: readonly TailLine[]): AsyncGenerator<readonly TailLine[]> {
    const first = lines[0]?.position;
    const committed = this.#committed;
    const end = this.#deliveredEnd;
    const allCommitted =
      committed === undefined || end === undefined || (end.fingerprint === committed.fingerprint && end.offset === committed.offset);
    if (first !== undefined && first.fingerprint !== end?.fingerprint && first.fingerprint !== committed?.fingerprint) {
      // Reading turns to another file. Its fingerprint is saved before its lines go out, so a restart finds this file
      // again among the rotated ones even if the one before is gone: as the position itself when everything before
      // it was acknowledged, else as the file that follows the saved one.
      if (allCommitted) {
        this.#committed = { fingerprint: first.fingerprint, offset: first.offset };
        this.#deliveredOrder = [first.fingerprint];
      } else {
        this.#noteDelivered(first.fingerprint);
      }
      await this.#save();
    }
    for (let at = 0; at < lines.length && !this.#stopped; at += this.#maxLines) {
      yield this.#deliver(lines.slice(at, at + this.#maxLines));
    }
  }

  #deliver(lines: readonly TailLine[]): readonly TailLine[] {
    const last = lines.at(-1)?.position;
    if (last !== undefined) this.#deliveredEnd = { fingerprint: last.fingerprint, offset: last.nextOffset };
    for (const line of lines) this.#noteDelivered(line.position.fingerprint);
    return lines;
  }

  /** Notes that lines of the file with `fingerprint` went out, after those of the files noted before it. */
  #noteDelivered(fingerprint: string): void {
    if (this.#deliveredOrder.at(-1) !== fingerprint) this.#deliveredOrder.push(fingerprint);
  }

  async #startup(): Promise<void> {
    const saved = this.#fromStart ? undefined : await this.#loadSaved();
    if (saved !== undefined) {
      this.#committed = { fingerprint: saved.fingerprint, offset: saved.offset };
      // The files saved as read after it (`after`) are delivered again, and so noted again, as reading reaches them.
      this.#deliveredOrder = [saved.fingerprint];
    }
    const live = await this.#openLive();
    const liveFingerprint = live === undefined ? undefined : await readFingerprint(live.handle);
    if (saved === undefined) {
      this.#live = live;
      return;
    }
    if (live !== undefined && liveFingerprint === saved.fingerprint) {
      const size = (await live.handle.stat()).size;
      if (size >= saved.offset) {
        live.splitter = new LineSplitter(this.path, saved.offset, saved.fingerprint);
        this.#live = live;
        return;
      }
    }
    // The file at the path is not the one the saved position belongs to: it was rotated while the agent was stopped.
    this.#queue = await this.#rotatedAfter(saved.fingerprint, saved.offset, new Set([liveFingerprint]), true);
    // The content seen at the path a moment ago was cut away meanwhile (copytruncate now): it is read from its copy,
    // or, when the copy could not be found yet, from where the saved position stands once its copy turns up.
    if (live !== undefined && this.#queue.some((q) => q.fingerprint === live.splitter.fingerprint)) {
      live.splitter = new LineSplitter(this.path, 0);
    } else if (live !== undefined && live.splitter.fingerprint === saved.fingerprint) {
      live.splitter = new LineSplitter(this.path, saved.offset, saved.fingerprint);
    }
    if (this.#queue.length === 0 && (await this.#resumeAfter(saved, live))) {
      this.#live = live;
      return;
    }
    if (this.#queue.length === 0) {
      this.#log.warn(
        { path: this.path, fingerprint: saved.fingerprint, offset: saved.offset },
        'the file of the saved position is no longer there, not even rotated; reading the current file from its start',
      );
      // A rotation running at this very moment (a copy not written yet) hides it: it is looked for a while longer.
      this.#missing = { fingerprint: saved.fingerprint, offset: saved.offset, checksLeft: MISSING_CHECKS };
    } else {
      this.#log.info(
        { path: this.path, files: this.#queue.map((q) => q.file.path) },
        'the file was rotated while the agent was stopped; reading the rotated files first',
      );
    }
    this.#live = live;
  }

  /**
   * The saved file is gone, but reading had turned to later files before the stop: reading resumes at the oldest of
   * them still there, rotated (drained first, from its start) or at the path. Returns whether one was found.
   */
  async #resumeAfter(saved: LoadedFilePosition, live: LiveFile | undefined): Promise<boolean> {
    for (const fingerprint of saved.after) {
      const atPath = live !== undefined && live.splitter.fingerprint === fingerprint;
      if (!atPath) this.#queue = await this.#rotatedAfter(fingerprint, 0, new Set([live?.splitter.fingerprint]), false);
      if (!atPath && this.#queue.length === 0) continue;
      this.#log.info(
        { path: this.path, fingerprint: saved.fingerprint, resumedAt: atPath ? this.path : this.#queue[0]?.file.path },
        'the file of the saved position is gone; reading resumes at the file read after it',
      );
      return true;
    }
    return false;
  }

  async #loadSaved(): Promise<LoadedFilePosition | undefined> {
    const value = await this.#positions.load(this.#key);
    if (value === undefined) return undefined;
    const v = value as Partial<SavedFilePosition>;
    if (
      typeof value !== 'object' ||
      value === null ||
      v.version !== 1 ||
      typeof v.fingerprint !== 'string' ||
      typeof v.offset !== 'number' ||
      !Number.isSafeInteger(v.offset) ||
      v.offset < 0
    ) {
      throw new PositionFileError(this.#positions.fileOf(this.#key), 'not a saved file position');
    }
    const after = v.after ?? [];
    if (!Array.isArray(after) || !after.every((f): f is string => typeof f === 'string')) {
      throw new PositionFileError(this.#positions.fileOf(this.#key), 'not a saved file position ("after" is not a list of fingerprints)');
    }
    return { version: 1, path: this.path, fingerprint: v.fingerprint, offset: v.offset, after };
  }

  async #openLive(): Promise<LiveFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const st = await handle.stat();
    // The content seen now is the one to read: should it be replaced before reading gets to it, its copy is looked for.
    const splitter = new LineSplitter(this.path, 0, await readFingerprint(handle));
    return { handle, dev: st.dev, ino: st.ino, splitter, replacedAt: undefined, lastDataAt: 0 };
  }

  async #closeLive(): Promise<void> {
    const live = this.#live;
    this.#live = undefined;
    await live?.handle.close();
    await this.#dropSuccessors();
  }

  async #dropSuccessors(): Promise<void> {
    for (const successor of this.#successors.splice(0)) await successor.handle.close();
  }

  /** Opens the file at the path if it is neither the live file nor a successor already held. */
  async #noticeSuccessor(): Promise<void> {
    this.#pathMayHaveChanged = false;
    const live = this.#live;
    if (live === undefined) return;
    const atPath = await stat(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (atPath === undefined) return;
    const held = (f: { dev: number; ino: number }): boolean => f.dev === atPath.dev && f.ino === atPath.ino;
    if (held(live)) {
      // Moved back into place: whatever stood at the path meanwhile does not follow this file.
      live.replacedAt = undefined;
      await this.#dropSuccessors();
      return;
    }
    if (this.#successors.some(held)) return;
    const opened = await this.#openLive();
    if (opened === undefined) return;
    if (held(live) || this.#successors.some((f) => f.dev === opened.dev && f.ino === opened.ino)) {
      await opened.handle.close();
      return;
    }
    this.#successors.push(opened);
  }

  /**
   * The rotated siblings to read, in order: the one whose content has `fingerprint` (from `offset`) and every newer
   * one, except those whose content is read through a handle already (`readElsewhere`: the file at the path, held
   * successors). When no sibling has that fingerprint, nothing: without an anchor the order cannot be trusted.
   */
  async #rotatedAfter(
    fingerprint: string,
    offset: number,
    readElsewhere: ReadonlySet<string | undefined>,
    logMissing: boolean,
  ): Promise<QueuedFile[]> {
    const opened = await this.#openRotatedFiles(logMissing);
    let anchor = -1;
    for (let i = opened.length - 1; i >= 0; i--) {
      if (opened[i]?.fingerprint === fingerprint) {
        anchor = i;
        break;
      }
    }
    const queue: QueuedFile[] = [];
    if (anchor >= 0) {
      const seen = new Set<string | undefined>([...readElsewhere, ...this.#finished, undefined]);
      // The anchor's plain twin (gzip still running) sits right after it; prefer whichever is plain.
      let first = opened[anchor];
      const twin = opened[anchor + 1];
      if (first !== undefined && first.compressed && twin?.fingerprint === fingerprint && !twin.compressed) first = twin;
      if (first !== undefined) queue.push({ file: first, fingerprint, offset });
      seen.add(fingerprint);
      for (const file of opened.slice(anchor + 1)) {
        if (file.fingerprint === undefined || seen.has(file.fingerprint)) continue;
        seen.add(file.fingerprint);
        queue.push({ file, fingerprint: file.fingerprint, offset: 0 });
      }
    }
    const kept = new Set(queue.map((q) => q.file));
    for (const file of opened) if (!kept.has(file)) await file.handle?.close();
    return queue;
  }

  #finish(fingerprint: string): void {
    this.#lastFinished = fingerprint;
    if (this.#finished.at(-1) !== fingerprint) this.#finished.push(fingerprint);
    if (this.#finished.length > 64) this.#finished.shift();
  }

  /** Opens every rotated sibling, as they stood at one moment (see {@link openRotatedSiblings}). */
  #openRotatedFiles(logFailures: boolean): Promise<OpenRotatedFile[]> {
    return openRotatedSiblings(this.path, {
      attempts: DRAIN_ATTEMPTS,
      ...(logFailures ? { onUnreadable: (err: unknown, file: RotatedFile) => this.#log.warn({ err, file: file.path }, 'cannot read a rotated file') } : {}),
    });
  }

  async *#drainQueued(queued: QueuedFile): AsyncGenerator<readonly TailLine[]> {
    const splitter = new LineSplitter(queued.file.path, queued.offset, queued.fingerprint);
    for (let attempt = 1; ; attempt++) {
      try {
        let batch: TailLine[] = [];
        for await (const chunk of readRotatedFrom(queued.file, splitter.endOffset)) {
          batch.push(...splitter.push(chunk));
          if (batch.length >= this.#maxLines) {
            yield* this.#batches(batch);
            batch = [];
            if (this.#stopped) return;
          }
        }
        const last = splitter.flush();
        if (last !== undefined) batch.push(last);
        yield* this.#batches(batch);
        if (this.#stopped) return;
        break;
      } catch (err) {
        // A rotated file can vanish or be half-written for a moment while logrotate compresses it.
        if (attempt >= DRAIN_ATTEMPTS || this.#stopped) {
          this.#log.warn({ err, file: queued.file.path }, 'cannot read the rest of a rotated file; its remaining lines are lost');
          break;
        }
        await this.#wait(this.#pollMs);
        const again = await this.#rotatedAfter(queued.fingerprint, splitter.endOffset, new Set(), false);
        const same = again[0];
        for (const other of again.slice(1)) await other.file.handle?.close();
        if (same === undefined) continue;
        await queued.file.handle?.close();
        this.#queue[0] = same;
        queued = same;
      }
    }
    await queued.file.handle?.close();
    this.#queue.shift();
    this.#finish(queued.fingerprint);
  }

  /** Reads the live file from where it stands, up to a batch of lines; verifies after each read that the content is still the same. */
  async #readLive(): Promise<TailLine[]> {
    if (this.#live === undefined) {
      // The path was missing: whatever stood there meanwhile and was rotated away already is read first.
      this.#live = await this.#openLive();
      if (this.#live === undefined || (await this.#gapBefore(this.#live.splitter.fingerprint))) return [];
    }
    const live = this.#live;
    const lines: TailLine[] = [];
    // One buffer for every read of this tailer: each chunk is copied out of it before the next read.
    this.#readBuffer ??= Buffer.allocUnsafe(CHUNK_BYTES);
    const buffer = this.#readBuffer;
    while (lines.length < this.#maxLines && !this.#stopped) {
      const { bytesRead } = await live.handle.read(buffer, 0, buffer.length, live.splitter.endOffset);
      if (bytesRead === 0) break;
      live.lastDataAt = Date.now();
      const known = live.splitter.fingerprint;
      const chunk = Buffer.from(buffer.subarray(0, bytesRead));
      if (known !== undefined) {
        // Truncated and written again before this read: the chunk may be new content at an old offset.
        if ((await readFingerprint(live.handle)) !== known) break;
        lines.push(...live.splitter.push(chunk));
        continue;
      }
      const fresh = live.splitter.push(chunk);
      const established = live.splitter.fingerprint;
      if (established === undefined) continue;
      if ((await readFingerprint(live.handle)) !== established) {
        live.splitter = new LineSplitter(this.path, 0);
        return lines;
      }
      if (await this.#gapBefore(established)) {
        live.splitter = new LineSplitter(this.path, 0, established);
        return [];
      }
      lines.push(...fresh);
    }
    return lines;
  }

  /**
   * Before the first line of a file whose content was not known when reading turned to it: were files rotated
   * away after the last one finished and before this one (replaced twice faster than a check)? They are queued.
   */
  async #gapBefore(fingerprint: string | undefined, keepAnchor = false): Promise<boolean> {
    const last = this.#lastFinished;
    if (!keepAnchor) this.#lastFinished = undefined;
    if (last === undefined) return false;
    const held = new Set<string | undefined>([fingerprint]);
    for (const successor of this.#successors) held.add(await readFingerprint(successor.handle));
    const found = await this.#rotatedAfter(last, 0, held, false);
    for (const q of found.slice(0, 1)) await q.file.handle?.close();
    if (found.length <= 1) return false;
    this.#queue = found.slice(1);
    this.#log.info({ path: this.path, files: this.#queue.map((q) => q.file.path) }, 'files were rotated away before they were read; reading them first');
    return true;
  }

  /**
   * At the end of the live file: has its content been replaced (truncate, copytruncate, rewrite of the same inode),
   * or does the path now name another file (rename + create, delete + recreate)? Returns the final lines of a file
   * left behind, whether reading should go on at once, or how long to wait.
   */
  async #checkIdentity(): Promise<{ lines: TailLine[]; changed: boolean; waitMs?: number }> {
    const missing = this.#missing;
    if (missing !== undefined) {
      missing.checksLeft -= 1;
      if (missing.checksLeft <= 0) this.#missing = undefined;
      const held = new Set<string | undefined>([this.#live?.splitter.fingerprint]);
      const found = await this.#rotatedAfter(missing.fingerprint, missing.offset, held, false);
      if (found.length > 0) {
        this.#missing = undefined;
        this.#queue = found;
        this.#log.info({ path: this.path, files: found.map((q) => q.file.path) }, 'the file of the saved position turned up; reading it');
        return { lines: [], changed: true };
      }
    }
    const live = this.#live;
    if (live === undefined) return { lines: [], changed: false };
    const size = (await live.handle.stat()).size;
    const now = await readFingerprint(live.handle);
    const known = live.splitter.fingerprint;
    if (size < live.splitter.endOffset || (known !== undefined && now !== known)) {
      return { lines: await this.#contentReplaced(live, now), changed: true };
    }
    // Nothing read yet from this file: a content written and copied away before reading got to it sits in a
    // rotated file after the last one finished.
    if (known === undefined && (await this.#gapBefore(undefined, true))) return { lines: [], changed: true };
    await this.#noticeSuccessor();
    const next = this.#successors[0];
    if (next === undefined) return { lines: [], changed: false };
    // The path names another file. A writer may still append to this one until it reopens the path (rsyslog
    // until logrotate's HUP), so it is read until it has stayed unchanged for the grace time.
    const at = Date.now();
    live.replacedAt ??= at;
    const left = Math.max(live.replacedAt, live.lastDataAt) + this.#graceMs - at;
    if (left > 0) return { lines: [], changed: false, waitMs: Math.min(left, this.#pollMs) };
    this.#successors.shift();
    const nextFingerprint = await readFingerprint(next.handle);
    if (known !== undefined && nextFingerprint === known) {
      // The same content under a new inode (copied and moved into place): carry on where reading stood.
      next.splitter = live.splitter;
      await live.handle.close();
      this.#live = next;
      return { lines: [], changed: true };
    }
    const last = live.splitter.flush();
    const oldFingerprint = live.splitter.fingerprint;
    await live.handle.close();
    this.#live = next;
    // A file left with nothing read from it is no anchor: files rotated away after the one before it are looked for.
    const anchor = oldFingerprint ?? this.#lastFinished;
    if (anchor !== undefined) {
      this.#finish(anchor);
      const held = new Set([nextFingerprint]);
      for (const successor of this.#successors) held.add(await readFingerprint(successor.handle));
      const queue = await this.#rotatedAfter(anchor, oldFingerprint === undefined ? 0 : live.splitter.endOffset, held, false);
      // The anchor is the file just finished; only the ones rotated after it are still unread.
      for (const q of queue.slice(0, 1)) await q.file.handle?.close();
      this.#queue = queue.slice(1);
    }
    this.#log.info({ path: this.path, rotatedFiles: this.#queue.length }, 'the file was rotated; following the new one');
    return { lines: last === undefined ? [] : [last], changed: true };
  }

  /** The live file's content was cut or replaced in place: finish the old content from its copy, then start over at 0. */
  async #contentReplaced(live: LiveFile, nowFingerprint: string | undefined): Promise<TailLine[]> {
    const old = live.splitter;
    live.splitter = new LineSplitter(this.path, 0, nowFingerprint);
    live.replacedAt = undefined;
    if (old.fingerprint === undefined) {
      // Cut before its first line was read: its content may sit in a copy after the last file finished.
      if (nowFingerprint !== undefined) await this.#gapBefore(nowFingerprint, true);
      return [];
    }
    this.#finish(old.fingerprint);
    const queue = await this.#rotatedAfter(old.fingerprint, old.pendingOffset, new Set([nowFingerprint]), false);
    if (queue.length > 0) {
      this.#queue = queue;
      this.#log.info({ path: this.path, copy: queue[0]?.file.path }, 'the file was truncated; reading the rest from its copy');
      return [];
    }
    this.#log.warn(
      { path: this.path, fingerprint: old.fingerprint, offset: old.endOffset },
      'the file was truncated and no copy of it was found; lines written just before the truncation may be lost',
    );
    const last = old.flush();
    // A copy still being made, or renamed while the directory was read, turns up at one of the next checks.
    this.#missing = { fingerprint: old.fingerprint, offset: old.pendingOffset, checksLeft: MISSING_CHECKS };
    return last === undefined ? [] : [last];
  }

  #startWatcher(): FSWatcher {
    const name = basename(this.path);
    const dir = dirname(this.path);
    const watcher = watch(dir, {
      depth: 0,
      ignoreInitial: true,
      ignored: (p: string) => p !== dir && !basename(p).startsWith(name),
    });
    watcher.on('all', () => this.#wake());
    watcher.on('error', (err) => this.#log.warn({ err, path: this.path }, 'file watcher failed; the poll goes on'));
    return watcher;
  }

  #wake(): void {
    this.#woken = true;
    this.#pathMayHaveChanged = true;
    const wake = this.#wakeUp;
    this.#wakeUp = undefined;
    wake?.();
  }

  async #wait(ms: number): Promise<void> {
    if (this.#woken || this.#stopped) {
      this.#woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeUp = undefined;
        resolve();
      }, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#woken = false;
  }
}
