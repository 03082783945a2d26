import { crc32 } from 'node:zlib';
import { mkdir, open, readFile, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One sealed message waiting for the broker: what to publish, exactly as it will be published. */
export interface SpoolEntry {
  readonly subject: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: Uint8Array;
}

/** The spool reached its size limit: the entry was not stored. */
export class SpoolFullError extends Error {
  override readonly name = 'SpoolFullError';
}

/** A record the spool counts as stored does not read back whole: the disk lost or changed it. */
export class SpoolCorruptError extends Error {
  override readonly name = 'SpoolCorruptError';
}

/** Options of {@link Spool.open}. */
export interface SpoolOptions {
  /** Most bytes the spool holds on disk (default 64 MiB). */
  readonly maxBytes?: number;
  /** Size at which a new segment file is started (default 4 MiB). */
  readonly segmentBytes?: number;
}

interface Cursor {
  segment: number;
  offset: number;
}

const RECORD_HEADER = 8;
const SEGMENT_SUFFIX = '.seg';

function segmentName(n: number): string {
  return `${String(n).padStart(10, '0')}${SEGMENT_SUFFIX}`;
}

function encode(entry: SpoolEntry): Buffer {
  const meta = Buffer.from(JSON.stringify({ s: entry.subject, h: entry.headers }));
  const body = Buffer.alloc(4 + meta.length + entry.data.length);
  body.writeUInt32BE(meta.length, 0);
  meta.copy(body, 4);
  Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength).copy(body, 4 + meta.length);
  const header = Buffer.alloc(RECORD_HEADER);
  header.writeUInt32BE(body.length, 0);
  header.writeUInt32BE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

function decode(body: Buffer): SpoolEntry {
  const metaLength = body.readUInt32BE(0);
  const meta = JSON.parse(body.subarray(4, 4 + metaLength).toString('utf8')) as {
    s: string;
    h: Record<string, string>;
  };
  return { subject: meta.s, headers: meta.h, data: new Uint8Array(body.subarray(4 + metaLength)) };
}

/**
 * A bounded, fsync'd, append-only queue on disk for sealed messages the broker has not yet
 * acknowledged. Entries come out in the order they went in; {@link ack} moves the persisted head
 * past the oldest one. A record torn by a crash at the tail is cut off when the spool opens.
 */
export class Spool {
  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
    private head: Cursor,
    private tail: Cursor,
    private writer: FileHandle,
    private bytes: number,
    private count: number,
  ) {}

  private appending: Promise<void> = Promise.resolve();

  /** Opens (or creates) the spool in `dir`, recovering from a crash mid-write. */
  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const segments = (await readdir(dir))
      .filter((f) => f.endsWith(SEGMENT_SUFFIX))
      .map((f) => Number.parseInt(f, 10))
      .sort((a, b) => a - b);
    let head: Cursor = { segment: segments[0] ?? 1, offset: 0 };
    try {
      head = JSON.parse(await readFile(join(dir, 'head.json'), 'utf8')) as Cursor;
    } catch {
      // No head yet: the spool starts at its first segment.
    }
    for (const n of segments) if (n < head.segment) await rm(join(dir, segmentName(n)), { force: true });
    const last = segments.filter((n) => n >= head.segment).pop() ?? head.segment;
    let bytes = 0;
    let count = 0;
    for (const n of segments.filter((s) => s >= head.segment)) {
      const valid = await Spool.scan(
        join(dir, segmentName(n)),
        n === head.segment ? head.offset : 0,
        n === last,
      );
      bytes += valid.bytes;
      count += valid.count;
    }
    const tailPath = join(dir, segmentName(last));
    const writer = await open(tailPath, 'a');
    const size = (await writer.stat()).size;
    const spool = new Spool(
      dir,
      options.maxBytes ?? 64 * 1024 * 1024,
      options.segmentBytes ?? 4 * 1024 * 1024,
      head,
      { segment: last, offset: size },
      writer,
      bytes,
      count,
    );
    await spool.syncDir();
    return spool;
  }

  /** Counts the valid records of a segment from `offset`; in the last segment, cuts off a torn tail. */
  private static async scan(
    path: string,
    offset: number,
    truncateTorn: boolean,
  ): Promise<{ bytes: number; count: number }> {
    let content: Buffer;
    try {
      content = await readFile(path);
    } catch {
      return { bytes: 0, count: 0 };
    }
    let at = offset;
    let count = 0;
    while (at + RECORD_HEADER <= content.length) {
      const length = content.readUInt32BE(at);
      const end = at + RECORD_HEADER + length;
      if (
        end > content.length ||
        crc32(content.subarray(at + RECORD_HEADER, end)) !== content.readUInt32BE(at + 4)
      )
        break;
      at = end;
      count++;
    }
    if (at < content.length && truncateTorn) {
      const handle = await open(path, 'r+');
      await handle.truncate(at);
      await handle.sync();
      await handle.close();
    }
    return { bytes: at - offset, count };
  }

  /** Entries stored and not yet acknowledged. */
  get depth(): number {
    return this.count;
  }

  /** Bytes stored and not yet acknowledged. */
  get size(): number {
    return this.bytes;
  }

  /** Whether another entry of `bytes` would exceed the limit. */
  wouldOverflow(bytes: number): boolean {
    return this.bytes + bytes + RECORD_HEADER + 256 > this.maxBytes;
  }

  /**
   * Appends an entry and fsyncs it; throws {@link SpoolFullError} at the size limit. Appends run
   * one at a time, in call order (the stats and the log pipelines append independently).
   */
  append(entry: SpoolEntry): Promise<void> {
    const done = this.appending.then(() => this.appendNow(entry));
    this.appending = done.catch(() => undefined);
    return done;
  }

  private async appendNow(entry: SpoolEntry): Promise<void> {
    const record = encode(entry);
    if (this.bytes + record.length > this.maxBytes) {
      throw new SpoolFullError(`spool ${this.dir} holds ${this.bytes} bytes; the limit is ${this.maxBytes}`);
    }
    if (this.tail.offset > 0 && this.tail.offset + record.length > this.segmentBytes) {
      await this.writer.close();
      this.tail = { segment: this.tail.segment + 1, offset: 0 };
      this.writer = await open(join(this.dir, segmentName(this.tail.segment)), 'a');
      await this.syncDir();
    }
    await this.writer.write(record);
    await this.writer.sync();
    this.tail.offset += record.length;
    this.bytes += record.length;
    this.count++;
  }

  /**
   * The oldest entries not yet acknowledged, up to `limit`, oldest first, without removing them.
   * Only records whose {@link append} has completed (written, fsync'd and counted) are read: a
   * record being appended meanwhile may be in the file only in part, and publishing such a torn
   * copy under its message id would make the broker refuse the whole copy later as a duplicate.
   */
  async peek(limit: number): Promise<SpoolEntry[]> {
    const entries: SpoolEntry[] = [];
    const tail = { ...this.tail };
    const wanted = Math.min(limit, this.count);
    let cursor = { ...this.head };
    while (entries.length < wanted) {
      const path = join(this.dir, segmentName(cursor.segment));
      let content: Buffer;
      try {
        content = await readFile(path);
      } catch {
        content = Buffer.alloc(0);
      }
      const end = cursor.segment === tail.segment ? Math.min(tail.offset, content.length) : content.length;
      let at = cursor.offset;
      while (entries.length < wanted && at + RECORD_HEADER <= end) {
        const length = content.readUInt32BE(at);
        const body = content.subarray(at + RECORD_HEADER, at + RECORD_HEADER + length);
        if (at + RECORD_HEADER + length > end || crc32(body) !== content.readUInt32BE(at + 4)) {
          throw new SpoolCorruptError(
            `spool record at ${path}:${at} is damaged on disk (its length or checksum does not match); restart the agent, which cuts the spool off there`,
          );
        }
        entries.push(decode(body));
        at += RECORD_HEADER + length;
      }
      if (entries.length < wanted && cursor.segment < tail.segment)
        cursor = { segment: cursor.segment + 1, offset: 0 };
      else break;
    }
    return entries;
  }

  /** Removes the oldest `n` entries (the broker acknowledged them) and persists the new head. */
  async ack(n: number): Promise<void> {
    let left = Math.min(n, this.count);
    for (;;) {
      const path = join(this.dir, segmentName(this.head.segment));
      const content = await readFile(path).catch(() => Buffer.alloc(0));
      while (left > 0 && this.head.offset + RECORD_HEADER <= content.length) {
        const length = content.readUInt32BE(this.head.offset) + RECORD_HEADER;
        this.head.offset += length;
        this.bytes -= length;
        this.count--;
        left--;
      }
      const exhausted = this.head.offset >= content.length;
      if (!exhausted || this.head.segment >= this.tail.segment) break;
      await rm(path, { force: true });
      this.head = { segment: this.head.segment + 1, offset: 0 };
    }
    await this.saveHead();
  }

  private async saveHead(): Promise<void> {
    const file = join(this.dir, 'head.json');
    const handle = await open(`${file}.tmp`, 'w');
    await handle.writeFile(JSON.stringify(this.head));
    await handle.sync();
    await handle.close();
    await rename(`${file}.tmp`, file);
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    await handle.sync().catch(() => undefined);
    await handle.close();
  }

  /** Closes the spool's file. */
  async close(): Promise<void> {
    await this.writer.close();
  }

  /** Total size of the segment files on disk, for tests and reports. */
  async diskBytes(): Promise<number> {
    let total = 0;
    for (const f of await readdir(this.dir))
      if (f.endsWith(SEGMENT_SUFFIX)) total += (await stat(join(this.dir, f))).size;
    return total;
  }
}
