import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PositionFileError } from './position-file-error.js';

/**
 * Read positions of the log sources, one JSON file per source under a state directory, each replaced atomically
 * (write a temporary file, fsync it, rename it over the old one, fsync the directory), so a crash or power loss
 * leaves either the old or the new position, never a torn one.
 */
export class PositionStore {
  /** The state directory. */
  readonly dir: string;
  readonly #queues = new Map<string, Promise<void>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The file that holds the position of the source named `key` (any string: it is URI-encoded). */
  fileOf(key: string): string {
    return join(this.dir, `${encodeURIComponent(key)}.json`);
  }

  /** The saved value for `key`, or undefined when none was saved; throws {@link PositionFileError} when unreadable. */
  async load(key: string): Promise<unknown> {
    const file = this.fileOf(key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new PositionFileError(file, 'cannot read the saved position', { cause: err });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new PositionFileError(file, 'the saved position is not JSON', { cause: err });
    }
  }

  /** Durably replaces the value for `key`; saves of one key are written in the order they were asked for. */
  save(key: string, value: unknown): Promise<void> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#write(key, value));
    this.#queues.set(key, next);
    return next;
  }

  async #write(key: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileOf(key);
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(value)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    // The rename is durable only once the directory entry is on disk.
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
