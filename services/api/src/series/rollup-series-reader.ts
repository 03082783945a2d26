import type { Database } from '@hostwatch/db';
import type { Kysely } from 'kysely';
import {
  rollupSeriesBatch,
  type KnownRollupBuckets,
  type RollupPointRow,
  type RollupSeriesQuery,
} from '../queries/stats-series.js';
import { RequestCoalescer, type RequestCoalescerOptions } from './request-coalescer.js';
import type { CachedBuckets, SeriesBucketCache } from './series-bucket-cache.js';

/** A series read from the 5-minute rollup: buckets of whole 5-minute steps on 5-minute boundaries. */
export interface RollupSeriesRequest {
  readonly hostId: string;
  readonly from: Date;
  readonly to: Date;
  readonly stepSeconds: number;
  readonly origin: Date;
}

/**
 * A response body in pieces, to be written one after the other, and whether its series had no
 * bucket. The kept buckets are a view of the cache's bytes, not a copy: a day of 288 buckets is
 * about 68 KB, and copying it into one new buffer per response (and the collections those
 * allocations brought on) cost more than anything else the process did per request but the write.
 */
export interface RollupSeriesBody {
  readonly pieces: readonly Buffer[];
  /** The body's length in bytes. */
  readonly length: number;
  readonly empty: boolean;
}

/**
 * Consecutive buckets: their start times, and their JSON objects joined by commas in `bytes`, the
 * object of `times[k]` starting at `starts[k] - offset` (a cache entry is one, with no offset).
 */
interface Buckets {
  readonly times: Float64Array;
  readonly starts: Uint32Array;
  readonly offset?: number;
  readonly bytes: Buffer;
}

const NO_BUCKETS: Buckets = {
  times: new Float64Array(0),
  starts: new Uint32Array(0),
  bytes: Buffer.alloc(0),
};
const COMMA = Buffer.from(',');
const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** The first index of `times` (ascending) at or after `t`. */
function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The buckets of `b` starting in `[fromMs, toMs)`, as views of its arrays and bytes. */
function slice(b: Buckets, fromMs: number, toMs: number): Buckets {
  const i = lowerBound(b.times, fromMs);
  const j = Math.max(i, lowerBound(b.times, toMs));
  if (i === 0 && j === b.times.length) return b;
  if (i === j) return NO_BUCKETS;
  const offset = b.offset ?? 0;
  const base = b.starts[i]! - offset;
  // The objects are joined by single commas: the one before bucket j ends the slice.
  const end = j < b.times.length ? b.starts[j]! - offset - 1 : b.bytes.length;
  return {
    times: b.times.subarray(i, j),
    starts: b.starts.subarray(i, j),
    offset: offset + base,
    bytes: b.bytes.subarray(base, end),
  };
}

/** The buckets of the statement's rows, in their order. */
function fromRows(rows: readonly RollupPointRow[]): Buckets {
  const points = rows.filter((row) => row.bucket !== null && row.point !== null);
  if (points.length === 0) return NO_BUCKETS;
  const times = new Float64Array(points.length);
  const starts = new Uint32Array(points.length);
  let at = 0;
  points.forEach((row, k) => {
    times[k] = row.bucket!;
    starts[k] = at;
    at += Buffer.byteLength(row.point!) + 1;
  });
  return { times, starts, bytes: Buffer.from(points.map((row) => row.point).join(',')) };
}

/** `parts` in order as one new run of buckets (copied, so that it holds no other bytes alive). */
function join(parts: readonly Buckets[]): Buckets {
  const present = parts.filter((p) => p.times.length > 0);
  if (present.length === 0) return NO_BUCKETS;
  const count = present.reduce((n, p) => n + p.times.length, 0);
  const times = new Float64Array(count);
  const starts = new Uint32Array(count);
  const bytes = Buffer.allocUnsafe(present.reduce((n, p) => n + p.bytes.length + 1, -1));
  let k = 0;
  let at = 0;
  for (const part of present) {
    if (at > 0) bytes[at++] = COMMA[0]!;
    times.set(part.times, k);
    const offset = part.offset ?? 0;
    for (let i = 0; i < part.starts.length; i++) starts[k + i] = at + part.starts[i]! - offset;
    k += part.times.length;
    at += part.bytes.copy(bytes, at);
  }
  return { times, starts, bytes };
}

/**
 * One statement for the series of requests that arrive together (a dashboard's burst, many clients
 * at once): a burst of 100 is a few round trips and a few executions instead of 100.
 */
function batchReader(
  db: Kysely<Database>,
  options: RequestCoalescerOptions,
): RequestCoalescer<RollupSeriesQuery, RollupPointRow[]> {
  return new RequestCoalescer(async (queries) => {
    const { rows } = await db.executeQuery(rollupSeriesBatch(queries));
    const byRequest = queries.map((): RollupPointRow[] => []);
    for (const row of rows) byRequest[row.n - 1]!.push(row);
    return byRequest;
  }, options);
}

/**
 * Reads hosts' series from the 5-minute rollup with raw edges, keeping the whole buckets inside
 * the rollup's coverage in `cache`: a bucket that lies whole in the range and in the coverage is
 * made of rollup rows only, which change only when maintenance writes the rollup, and maintenance
 * moves the coverage row in the same transaction. So a bucket kept under one coverage version is
 * what a read would compute again while the version stays, and the statement leaves those rows out
 * only if the version it reads is still the one they were kept under (else it reads them too).
 * Raw samples (the partial slots at the range's ends and whatever is newer than the coverage) are
 * read on every request. Requests that arrive together share one statement.
 */
export class RollupSeriesReader {
  readonly #batches: RequestCoalescer<RollupSeriesQuery, RollupPointRow[]>;

  constructor(
    db: Kysely<Database>,
    private readonly cache: SeriesBucketCache,
    options: RequestCoalescerOptions = { maxBatch: 64, maxInFlight: 2 },
  ) {
    this.#batches = batchReader(db, options);
  }

  /** `prefix`, the points of `request` as a JSON array, and `}`. */
  read(request: RollupSeriesRequest, prefix: string): Promise<RollupSeriesBody> {
    return readRollupSeries(this.#batches, this.cache, request, prefix);
  }
}

async function readRollupSeries(
  batches: RequestCoalescer<RollupSeriesQuery, RollupPointRow[]>,
  cache: SeriesBucketCache,
  request: RollupSeriesRequest,
  prefix: string,
): Promise<RollupSeriesBody> {
  const { hostId, from, to, stepSeconds, origin } = request;
  const stepMs = stepSeconds * 1000;
  const align = mod(origin.getTime(), stepMs);
  const key = `${hostId}\u0000${stepSeconds}\u0000${align}`;
  // Bucket starts whose whole bucket lies in the range and in the coverage.
  const wholeSpan = (coveredFromMs: number, coveredUntilMs: number): [number, number] | undefined => {
    const start = Math.max(from.getTime(), coveredFromMs);
    const lo = start + mod(align - start, stepMs);
    const end = Math.min(to.getTime(), coveredUntilMs);
    const hi = end - mod(end - align, stepMs);
    return hi > lo ? [lo, hi] : undefined;
  };

  const entry = cache.get(key);
  let known: (KnownRollupBuckets & { entry: CachedBuckets }) | undefined;
  if (entry !== undefined) {
    const span = wholeSpan(entry.coveredFromMs, entry.coveredUntilMs);
    const lo = Math.max(span?.[0] ?? 0, entry.fromMs);
    const hi = Math.min(span?.[1] ?? 0, entry.toMs);
    if (span !== undefined && hi > lo) {
      known = {
        version: entry.version,
        coveredFromMs: entry.coveredFromMs,
        coveredUntilMs: entry.coveredUntilMs,
        fromMs: lo,
        toMs: hi,
        entry,
      };
    }
  }

  const rows = await batches.submit({ hostId, from, to, stepSeconds, origin, known });
  const head = rows[0];
  // The statement left the held buckets out only under the coverage they were read under;
  // otherwise (nothing held, or the rollup was written since) its rows are every bucket.
  const held =
    known !== undefined &&
    head?.version === known.version &&
    head.covered_from === known.coveredFromMs &&
    head.covered_until === known.coveredUntilMs
      ? known
      : undefined;

  // The body is the fresh buckets before a kept run, the kept run, and the fresh ones after it:
  // the held span, or the whole buckets of this read once they are kept. Fresh rows lie outside
  // the held span: it is made of whole buckets, and the statement read no rollup row inside it and
  // no raw sample inside the coverage.
  let kept = held === undefined ? NO_BUCKETS : slice(held.entry, held.fromMs, held.toMs);
  let [keptFrom, keptTo] = held === undefined ? [Infinity, Infinity] : [held.fromMs, held.toMs];
  // Keep the whole buckets of this read, unless the entry already holds every one of them.
  const span =
    head?.version != null && head.covered_from !== null && head.covered_until !== null
      ? wholeSpan(head.covered_from, head.covered_until)
      : undefined;
  if (
    span !== undefined &&
    !(held !== undefined && held.entry.fromMs <= span[0] && span[1] <= held.entry.toMs)
  ) {
    const [lo, hi] = span;
    const fresh = fromRows(rows);
    kept = join([slice(fresh, lo, Math.min(hi, keptFrom)), kept, slice(fresh, Math.max(lo, keptTo), hi)]);
    [keptFrom, keptTo] = span;
    cache.set(key, {
      version: head!.version!,
      coveredFromMs: head!.covered_from!,
      coveredUntilMs: head!.covered_until!,
      fromMs: lo,
      toMs: hi,
      times: kept.times,
      starts: kept.starts,
      bytes: kept.bytes,
    });
  }
  return body(prefix, rows, kept.bytes, keptFrom, keptTo);
}

/**
 * `prefix`, `[`, the fresh buckets before `keptFrom`, the kept run, the fresh ones from `keptTo`
 * on, and `]}`, joined by commas. The fresh buckets (usually the two partial ones at the range's
 * ends) are written as text around the kept bytes, so a response is three pieces: two small
 * buffers and a view of the kept ones.
 */
function body(
  prefix: string,
  rows: readonly RollupPointRow[],
  kept: Buffer,
  keptFrom: number,
  keptTo: number,
): RollupSeriesBody {
  let before = `${prefix}[`;
  let after = '';
  let any = false;
  let i = 0;
  for (; i < rows.length; i++) {
    const { bucket, point } = rows[i]!;
    if (bucket === null || point === null) continue;
    if (bucket >= keptFrom) break;
    before += any ? `,${point}` : point;
    any = true;
  }
  if (kept.length > 0) {
    if (any) before += ',';
    any = true;
  }
  for (; i < rows.length; i++) {
    const { bucket, point } = rows[i]!;
    // Rows inside the kept run are the ones just kept from this read.
    if (bucket === null || point === null || bucket < keptTo) continue;
    after += any ? `,${point}` : point;
    any = true;
  }
  after += ']}';
  if (kept.length === 0) {
    const whole = Buffer.from(before + after);
    return { pieces: [whole], length: whole.length, empty: !any };
  }
  const first = Buffer.from(before);
  const last = Buffer.from(after);
  return { pieces: [first, kept, last], length: first.length + kept.length + last.length, empty: false };
}
