/**
 * Whole buckets of one host's series at one step and bucket alignment, as one version of the
 * 5-minute rollup's coverage gave them: each bucket's JSON object, UTF-8, joined by commas.
 */
export interface CachedBuckets {
  /** The coverage version the buckets were read under, and the coverage it had. */
  readonly version: string;
  readonly coveredFromMs: number;
  readonly coveredUntilMs: number;
  /** Every bucket starting in `[fromMs, toMs)` is here, or has no samples. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Bucket starts in epoch milliseconds, oldest first. */
  readonly times: Float64Array;
  /** Where each bucket's object starts in `bytes`; consecutive objects are separated by one comma. */
  readonly starts: Uint32Array;
  /** The objects, `{…},{…}`. */
  readonly bytes: Buffer;
}

// What an entry costs beyond its bytes: the two arrays and the objects around them.
const entryBytes = (entry: CachedBuckets): number => entry.bytes.length + 16 * entry.times.length + 200;

/**
 * A bounded cache of {@link CachedBuckets} by host, step and alignment; the least recently used
 * entries go first when their bytes exceed `maxBytes`.
 */
export class SeriesBucketCache {
  readonly #entries = new Map<string, CachedBuckets>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes the entries hold now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry under `key`, now the most recently used, or undefined. */
  get(key: string): CachedBuckets | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Keeps `entry` under `key` in place of what was there, then drops the least recently used over the bound. */
  set(key: string, entry: CachedBuckets): void {
    this.delete(key);
    const size = entryBytes(entry);
    if (size > this.maxBytes) return;
    this.#entries.set(key, entry);
    this.#bytes += size;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entryBytes(old);
    }
  }

  /** Forgets the entry under `key`. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entryBytes(entry);
  }
}
