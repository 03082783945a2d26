import { fingerprintOf } from './fingerprint.js';
import type { TailLine } from './tail-line.js';

/**
 * Cuts the bytes of one file, fed in order from `startOffset`, into complete lines with their byte positions;
 * the bytes after the last newline wait in {@link pending} until their newline arrives.
 */
export class LineSplitter {
  readonly #file: string;
  #fingerprint: string | undefined;
  #pending: Buffer = Buffer.alloc(0);
  #pendingOffset: number;

  /** Without a fingerprint the splitter starts at offset 0 and takes the fingerprint from the bytes it is fed. */
  constructor(file: string, startOffset: number, fingerprint?: string) {
    if (fingerprint === undefined && startOffset !== 0) throw new Error('a splitter without fingerprint starts at 0');
    this.#file = file;
    this.#pendingOffset = startOffset;
    this.#fingerprint = fingerprint;
  }

  /** The fingerprint of the file, once its first line (or first 1 KiB) has been fed. */
  get fingerprint(): string | undefined {
    return this.#fingerprint;
  }

  /** The offset of the first byte not yet delivered as part of a line. */
  get pendingOffset(): number {
    return this.#pendingOffset;
  }

  /** The offset just past the last byte fed. */
  get endOffset(): number {
    return this.#pendingOffset + this.#pending.length;
  }

  /** The bytes of the incomplete last line. */
  get pending(): Buffer {
    return this.#pending;
  }

  /** Adds the next bytes of the file and returns the lines they complete. */
  push(chunk: Buffer): TailLine[] {
    const data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#fingerprint ??= fingerprintOf(data);
    const fingerprint = this.#fingerprint;
    const lines: TailLine[] = [];
    let start = 0;
    if (fingerprint !== undefined) {
      for (let newline = data.indexOf(10); newline >= 0; newline = data.indexOf(10, start)) {
        lines.push(this.#line(fingerprint, data, start, newline, newline + 1));
        start = newline + 1;
      }
    }
    this.#pending = Buffer.from(data.subarray(start));
    this.#pendingOffset += start;
    return lines;
  }

  /** Delivers the incomplete last line as a line of its own, for a file that will never grow again. */
  flush(): TailLine | undefined {
    if (this.#pending.length === 0) return undefined;
    // A file that never completed its first line is fingerprinted by what there is of it.
    const fingerprint = this.#fingerprint ?? fingerprintOf(Buffer.concat([this.#pending, Buffer.from('\n')]));
    if (fingerprint === undefined) return undefined;
    this.#fingerprint = fingerprint;
    const line = this.#line(fingerprint, this.#pending, 0, this.#pending.length, this.#pending.length);
    this.#pendingOffset += this.#pending.length;
    this.#pending = Buffer.alloc(0);
    return line;
  }

  #line(fingerprint: string, data: Buffer, start: number, end: number, next: number): TailLine {
    // A CRLF file's carriage return belongs to the line ending, not to the text.
    const textEnd = end > start && data[end - 1] === 13 ? end - 1 : end;
    return {
      text: data.toString('utf8', start, textEnd),
      position: { fingerprint, offset: this.#pendingOffset + start, nextOffset: this.#pendingOffset + next },
      file: this.#file,
    };
  }
}
