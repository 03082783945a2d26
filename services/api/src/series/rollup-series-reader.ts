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

/** A response body and whether its series had no bucket. */
export interface RollupSeriesBody {
  readonly body: Buffer;
  readonly empty: boolean;
}

const COMMA = Buffer.from(',');
const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** The first index of `times` (ascending) at or after `t`. */
function lowerBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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

  // The body in pieces, with each bucket's start time and where its object begins in the body.
  const pieces: Buffer[] = [Buffer.from(`${prefix}[`)];
  let length = pieces[0]!.length;
  const times: number[] = [];
  const starts: number[] = [];
  const add = (piece: Buffer, pieceTimes: readonly number[], pieceStarts: readonly number[]): void => {
    if (pieceTimes.length === 0) return;
    if (times.length > 0) {
      pieces.push(COMMA);
      length += 1;
    }
    for (let i = 0; i < pieceTimes.length; i++) {
      times.push(pieceTimes[i]!);
      starts.push(length + pieceStarts[i]!);
    }
    pieces.push(piece);
    length += piece.length;
  };
  const addFresh = (fresh: typeof rows): void => {
    for (const row of fresh) {
      if (row.bucket === null || row.point === null) continue;
      add(Buffer.from(row.point), [row.bucket], [0]);
    }
  };
  if (held === undefined) {
    addFresh(rows);
  } else {
    const { entry: kept, fromMs, toMs } = held;
    // Fresh rows lie before or after the held span: it is made of whole buckets, and the statement
    // read no rollup row inside it and no raw sample inside the coverage.
    addFresh(rows.filter((row) => row.bucket !== null && row.bucket < fromMs));
    const i = lowerBound(kept.times, fromMs);
    const j = lowerBound(kept.times, toMs);
    if (j > i) {
      const base = kept.starts[i]!;
      const end = j < kept.times.length ? kept.starts[j]! - 1 : kept.bytes.length;
      add(
        kept.bytes.subarray(base, end),
        kept.times.slice(i, j),
        kept.starts.slice(i, j).map((s) => s - base),
      );
    }
    addFresh(rows.filter((row) => row.bucket !== null && row.bucket >= toMs));
  }
  pieces.push(Buffer.from(']}'));
  const body = Buffer.concat(pieces, length + 2);

  // Keep the whole buckets of this read, unless the entry already holds every one of them.
  const span =
    head?.version != null && head.covered_from !== null && head.covered_until !== null
      ? wholeSpan(head.covered_from, head.covered_until)
      : undefined;
  if (
    span !== undefined &&
    !(held !== undefined && held.entry.fromMs <= span[0] && span[1] <= held.entry.toMs)
  ) {
    const i = lowerBound(times, span[0]);
    const j = lowerBound(times, span[1]);
    const base = i < times.length ? starts[i]! : 0;
    const end = j > i ? (j < times.length ? starts[j]! - 1 : length) : base;
    cache.set(key, {
      version: head!.version!,
      coveredFromMs: head!.covered_from!,
      coveredUntilMs: head!.covered_until!,
      fromMs: span[0],
      toMs: span[1],
      times: times.slice(i, j),
      starts: starts.slice(i, j).map((s) => s - base),
      // A copy, so that the entry does not keep the whole body alive.
      bytes: Buffer.from(body.subarray(base, end)),
    });
  }
  return { body, empty: times.length === 0 };
}
