import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FINGERPRINT_BYTES, fingerprintOf, readFingerprint } from './fingerprint.js';

/** A rotated sibling of a log file (`auth.log.1`, `auth.log.2.gz`, `auth.log-20260101`, …), plain or gzip-compressed. */
export interface RotatedFile {
  readonly path: string;
  readonly compressed: boolean;
}

const NUMBERED = /^\.(\d{1,6})(\.gz)?$/;
const DATED = /^-(\d[\d-]{5,30})(\.gz)?$/;
// logrotate's `create` moves a file it finds already recreated at the path (by a writer) aside as `<name>-<date>.backup`.
const BACKUP = /^-(\d[\d-]{5,30})\.backup$/;

/**
 * The rotated siblings of `path` in its directory, oldest first: `<name>.N[.gz]` (higher N is older) or
 * `<name>-<date>[.gz]` (logrotate's `dateext`, ordered by the date text); when both kinds are present, by mtime.
 * Files logrotate moved aside as `<name>-<date>.backup` come last: they stood at the path after the newest rotation.
 */
export async function listRotatedFiles(path: string): Promise<RotatedFile[]> {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const numbered: { file: RotatedFile; n: number }[] = [];
  const dated: { file: RotatedFile; date: string }[] = [];
  const backups: RotatedFile[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(name) || entry.length === name.length) continue;
    const suffix = entry.slice(name.length);
    const num = NUMBERED.exec(suffix);
    if (num?.[1] !== undefined) {
      numbered.push({ file: { path: join(dir, entry), compressed: num[2] !== undefined }, n: Number(num[1]) });
      continue;
    }
    if (BACKUP.test(suffix)) {
      backups.push({ path: join(dir, entry), compressed: false });
      continue;
    }
    const date = DATED.exec(suffix);
    if (date?.[1] !== undefined) dated.push({ file: { path: join(dir, entry), compressed: date[2] !== undefined }, date: date[1] });
  }
  // A plain file sorts after its compressed twin (gzip still running): the plain one is complete, so it is preferred.
  numbered.sort((a, b) => b.n - a.n || Number(b.file.compressed) - Number(a.file.compressed));
  // Ordinal comparison: dates are digits, and localeCompare would load ICU's collation data into the agent (MiBs).
  dated.sort((a, b) => ordinal(a.date, b.date) || Number(b.file.compressed) - Number(a.file.compressed));
  backups.sort((a, b) => ordinal(a.path, b.path));
  if (numbered.length === 0) return [...dated.map((d) => d.file), ...backups];
  if (dated.length === 0) return [...numbered.map((n) => n.file), ...backups];
  const all = [...numbered.map((n) => n.file), ...dated.map((d) => d.file)];
  const mtimes = new Map<string, number>();
  for (const file of all) mtimes.set(file.path, (await stat(file.path).catch(() => undefined))?.mtimeMs ?? 0);
  return [...all.sort((a, b) => (mtimes.get(a.path) ?? 0) - (mtimes.get(b.path) ?? 0)), ...backups];
}

/** An open rotated file: it stays the same file through its handle even if logrotate renames or removes it meanwhile. */
export interface OpenRotatedFile extends RotatedFile {
  readonly fingerprint: string | undefined;
  readonly handle: FileHandle | undefined;
}

/** Opens a rotated file and reads its fingerprint (of the decompressed content for `.gz`). */
export async function openRotatedFile(file: RotatedFile): Promise<OpenRotatedFile> {
  const handle = await open(file.path, 'r');
  try {
    if (!file.compressed) return { ...file, fingerprint: await readFingerprint(handle), handle };
    const head: Buffer[] = [];
    let size = 0;
    for await (const chunk of readRotatedFrom({ ...file, handle }, 0)) {
      head.push(chunk);
      size += chunk.length;
      if (size >= FINGERPRINT_BYTES) break;
    }
    return { ...file, fingerprint: fingerprintOf(Buffer.concat(head)), handle };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Options of {@link openRotatedSiblings}. */
export interface OpenSiblingsOptions {
  /** How many listings are tried before the last one is taken as it is; default 5. */
  readonly attempts?: number;
  /** Told of a sibling that is there but cannot be opened or read (permissions, a damaged gzip header). */
  readonly onUnreadable?: (err: unknown, file: RotatedFile) => void;
  /** Runs after each sibling is opened: lets a test rename files in between, as logrotate may. */
  readonly afterOpen?: (file: OpenRotatedFile) => Promise<void>;
}

/**
 * Opens every rotated sibling of `path` ({@link listRotatedFiles}, oldest first) as they stood at one moment. Names
 * are listed, then opened one by one, while logrotate may be renaming them: `.1` opened after a shift moved the next
 * file there, and the file that stood there is seen under no name. So the siblings are listed again afterwards, and
 * the whole is read again when a file was gone before it was opened, the names differ, or a name no longer names the
 * file opened under it, after a wait that doubles each time. After `attempts` listings the last one is returned as it is.
 */
export async function openRotatedSiblings(path: string, options: OpenSiblingsOptions = {}): Promise<OpenRotatedFile[]> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const listed = await listRotatedFiles(path);
    const opened: OpenRotatedFile[] = [];
    let vanished = false;
    for (const file of listed) {
      let one: OpenRotatedFile;
      try {
        one = await openRotatedFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') vanished = true;
        else options.onUnreadable?.(err, file);
        continue;
      }
      opened.push(one);
      await options.afterOpen?.(one);
    }
    if (attempt >= attempts || (!vanished && (await stillListed(path, listed, opened)))) return opened;
    for (const file of opened) await file.handle?.close();
    // logrotate renames a few files in a burst: reading again at once can land in the same burst every time, so each
    // retry waits longer (10, 20, 40, … ms) for it to end.
    await sleep(10 * 2 ** (attempt - 1));
  }
}

/** Whether the rotated siblings of `path` are still `listed`, each opened one still under its name. */
async function stillListed(path: string, listed: readonly RotatedFile[], opened: readonly OpenRotatedFile[]): Promise<boolean> {
  const again = await listRotatedFiles(path);
  if (again.length !== listed.length || again.some((f, i) => f.path !== listed[i]?.path)) return false;
  for (const file of opened) {
    if (file.handle === undefined) continue;
    const held = await file.handle.stat();
    const named = await stat(file.path).catch(() => undefined);
    if (named === undefined || named.dev !== held.dev || named.ino !== held.ino) return false;
  }
  return true;
}

/** The content of a rotated file from byte `offset` of its (decompressed) content to its end. */
export async function* readRotatedFrom(
  file: RotatedFile & { readonly handle: FileHandle | undefined },
  offset: number,
): AsyncGenerator<Buffer> {
  const handle = file.handle ?? (await open(file.path, 'r'));
  try {
    if (!file.compressed) {
      yield* readFrom(handle, offset);
      return;
    }
    yield* gunzipFrom(handle, offset);
  } finally {
    if (file.handle === undefined) await handle.close();
  }
}

async function* readFrom(handle: FileHandle, offset: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.alloc(64 * 1024);
  for (let at = offset; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
    if (bytesRead === 0) return;
    at += bytesRead;
    yield Buffer.from(buffer.subarray(0, bytesRead));
  }
}

async function* gunzipFrom(handle: FileHandle, offset: number): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  // Positional reads leave the handle reusable; pipeline hands a read or gzip error to the iteration below.
  pipeline(Readable.from(readFrom(handle, 0)), gunzip, () => undefined);
  let skip = offset;
  try {
    for await (const piece of gunzip) {
      const chunk = piece as Buffer;
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      yield skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
    }
  } finally {
    gunzip.destroy();
  }
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
