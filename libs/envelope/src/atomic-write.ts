import { randomBytes } from 'node:crypto';
import { link, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** How {@link writeFileAtomic} writes. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file; the umask can only take bits away, so 0600 stays 0600. */
  readonly mode: number;
  /** Replace an existing file; otherwise fail with `EEXIST` and leave it untouched. */
  readonly overwrite: boolean;
}

/**
 * Writes `text` to `path` so that a reader sees either no file, the old file or the whole new one,
 * even across a crash: a temporary file beside it, synced, then renamed (or hard-linked, which
 * fails on an existing file instead of replacing it), then the directory synced.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', options.mode);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      await rename(temp, path);
    } else {
      await link(temp, path);
      await rm(temp);
    }
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for syncing; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
