import { execFile } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { onTestFinished } from 'vitest';
import { waitFor } from '@hostwatch/testkit';
import { FileTailer, type FileTailerOptions } from '../../src/sources/file-tailer.js';
import { PositionStore } from '../../src/sources/position-store.js';
import type { SourceLogger } from '../../src/sources/source-logger.js';
import type { TailLine } from '../../src/sources/tail-line.js';

const run = promisify(execFile);

/** A fresh temporary directory, removed when the test ends. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hostwatch-sources-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Warnings and infos a tailer logged, for assertions on what an operator would read. */
export function recordingLogger(): SourceLogger & { readonly records: { level: string; message: string; fields: object }[] } {
  const records: { level: string; message: string; fields: object }[] = [];
  return {
    records,
    warn: (fields, message) => records.push({ level: 'warn', message, fields }),
    info: (fields, message) => records.push({ level: 'info', message, fields }),
  };
}

/** A running tailer and everything it delivered. */
export interface Tail {
  readonly tailer: FileTailer;
  readonly lines: TailLine[];
  /** Resolves when the iteration ended (stop, or the end with `exitAtEnd`); rejects with its error. */
  readonly done: Promise<void>;
  /** Stops the tailer and waits until its iteration ended. */
  stop(): Promise<void>;
  /** Waits until the delivered lines satisfy `check`. */
  until(what: string, check: (lines: readonly TailLine[]) => boolean, timeoutMs?: number): Promise<void>;
}

/** Decides after each delivered batch whether the consumer commits it (as if the broker acknowledged it). */
export type CommitPolicy = (batch: readonly TailLine[], batchIndex: number) => boolean;

/** Runs a tailer that commits every batch it delivers, unless `commit` says otherwise. */
export function startTail(
  options: Partial<FileTailerOptions> & { path: string; stateDir: string },
  commit: CommitPolicy = () => true,
): Tail {
  const tailer = new FileTailer({
    pollIntervalMs: 100,
    rotationGraceMs: 300,
    ...options,
    positions: new PositionStore(options.stateDir),
  });
  const lines: TailLine[] = [];
  const done = (async () => {
    let index = 0;
    for await (const batch of tailer) {
      lines.push(...batch);
      const last = batch.at(-1);
      if (last !== undefined && commit(batch, index++)) await tailer.commit(last.position);
    }
  })();
  done.catch(() => undefined);
  const tail: Tail = {
    tailer,
    lines,
    done,
    stop: async () => {
      tailer.stop();
      await done;
    },
    until: async (what, check, timeoutMs = 30_000) => {
      await waitFor(what, () => (check(lines) ? true : undefined), { timeoutMs });
    },
  };
  onTestFinished(() => tail.stop().catch(() => undefined));
  return tail;
}

/** The text of numbered line `n`; lengths vary so that offsets and first lines differ. */
export function numbered(n: number): string {
  return `line ${String(n).padStart(6, '0')} ${'x'.repeat(n % 41)}`;
}

/** The number of a line made by {@link numbered}. */
export function numberOf(text: string): number {
  const match = /^line (\d{6}) x*$/.exec(text);
  if (match?.[1] === undefined) throw new Error(`not a numbered line: ${JSON.stringify(text)}`);
  return Number(match[1]);
}

/** Appends numbered lines `from`..`to` to `path` in one write. */
export function appendNumbered(path: string, from: number, to: number): void {
  let text = '';
  for (let n = from; n <= to; n++) text += `${numbered(n)}\n`;
  appendFileSync(path, text);
}

/**
 * Appends numbered lines to a path until stopped. By default each write opens the path anew (as a daemon that
 * reopens its log per message); with `hupFile` it keeps its file open, like rsyslog, and reopens the path only
 * after `hupFile` appears (a logrotate `postrotate` touches it, where rsyslog would get a HUP), `hupDelayMs` later.
 */
export class LineWriter {
  #next = 1;
  #running = true;
  readonly #loop: Promise<void>;

  constructor(path: string, options: { linesPerTick?: number; tickMs?: number; hupFile?: string; hupDelayMs?: number } = {}) {
    const perTick = options.linesPerTick ?? 3;
    const tickMs = options.tickMs ?? 1;
    const hupFile = options.hupFile;
    this.#loop = (async () => {
      let fd = hupFile === undefined ? undefined : openSync(path, 'a');
      let hupSeen: number | undefined;
      try {
        while (this.#running) {
          for (let i = 0; i < perTick; i++) {
            const line = `${numbered(this.#next++)}\n`;
            if (fd === undefined) appendFileSync(path, line);
            else writeSync(fd, line);
          }
          if (hupFile !== undefined && fd !== undefined) {
            if (hupSeen === undefined && existsSync(hupFile)) {
              unlinkSync(hupFile);
              hupSeen = Date.now();
            }
            if (hupSeen !== undefined && Date.now() - hupSeen >= (options.hupDelayMs ?? 0)) {
              closeSync(fd);
              fd = openSync(path, 'a');
              hupSeen = undefined;
            }
          }
          await sleep(tickMs);
        }
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    })();
    onTestFinished(() => this.stop().then(() => undefined));
  }

  /** How many lines were written so far. */
  get written(): number {
    return this.#next - 1;
  }

  /** Stops writing and returns how many lines were written. */
  async stop(): Promise<number> {
    this.#running = false;
    await this.#loop;
    return this.written;
  }
}

/** Runs Debian's logrotate once, forced, on `path` with the given directives and a state file in `dir`. */
export async function logrotate(dir: string, path: string, directives: readonly string[]): Promise<void> {
  const config = join(dir, 'logrotate.conf');
  await writeFile(config, `${path} {\n  rotate 100\n  missingok\n${directives.map((d) => `  ${d}\n`).join('')}}\n`);
  await run('/usr/sbin/logrotate', ['-f', '-s', join(dir, 'logrotate.state'), config]);
}

/** The numbers of the numbered lines in `name` and its rotated siblings in `dir` (gzip read too). */
export async function numbersOnDisk(dir: string, name: string): Promise<Set<number>> {
  const found = new Set<number>();
  for (const entry of await readdir(dir)) {
    if (!entry.startsWith(name)) continue;
    const raw = await readFile(join(dir, entry));
    const text = entry.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    for (const line of text.split('\n')) if (line !== '') found.add(numberOf(line));
  }
  return found;
}

/** Line numbers in delivery order. */
export function deliveredNumbers(lines: readonly TailLine[]): number[] {
  return lines.map((l) => numberOf(l.text));
}

/** True when `numbers` holds 1..count, each once, in order. */
export function isOneToN(numbers: readonly number[], count: number): boolean {
  return numbers.length === count && numbers.every((n, i) => n === i + 1);
}
