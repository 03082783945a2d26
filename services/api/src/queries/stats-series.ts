import { CompiledQuery, PostgresQueryCompiler, createQueryId, sql, type RawBuilder } from 'kysely';

/** One bucket of a host's stats series as PostgreSQL returns it. */
export interface SeriesRow {
  bucket: Date;
  samples: number;
  cpu_avg: number | null;
  cpu_max: number | null;
  mem_avg: number;
  mem_max: number;
  swap_avg: number;
  swap_max: number;
  load1_avg: number;
  load1_max: number;
  disk_max: number | null;
}

/** Where a series' buckets are read from. */
export type SeriesSource = 'raw' | 'rollup-5m' | 'hourly';

const SLOT_SECONDS = 300;

// One raw sample in the shape of a rollup row.
const RAW_SAMPLE = sql`
  time, 1, (cpu_used_percent IS NOT NULL)::int, coalesce(cpu_used_percent::float8, 0), cpu_used_percent,
  mem_used_percent::float8, mem_used_percent, swap_used_percent::float8, swap_used_percent,
  load1::float8, load1, disk_max_used_percent`;

// A bucket's figures from partial sums (rollup rows, or raw samples shaped as RAW_SAMPLE).
const MERGED_COLUMNS = sql`
  sum(samples)::int AS samples,
  sum(cpu_sum) / nullif(sum(cpu_samples), 0) AS cpu_avg, max(cpu_max) AS cpu_max,
  sum(mem_sum) / sum(samples) AS mem_avg, max(mem_max) AS mem_max,
  sum(swap_sum) / sum(samples) AS swap_avg, max(swap_max) AS swap_max,
  sum(load1_sum) / sum(samples) AS load1_avg, max(load1_max) AS load1_max,
  max(disk_max) AS disk_max`;

const RAW_COLUMNS = sql`
  count(*)::int AS samples,
  sum(cpu_used_percent::float8) / count(cpu_used_percent) AS cpu_avg, max(cpu_used_percent) AS cpu_max,
  sum(mem_used_percent::float8) / count(*) AS mem_avg, max(mem_used_percent) AS mem_max,
  sum(swap_used_percent::float8) / count(*) AS swap_avg, max(swap_used_percent) AS swap_max,
  sum(load1::float8) / count(*) AS load1_avg, max(load1) AS load1_max,
  max(disk_max_used_percent) AS disk_max`;

/**
 * The source {@link seriesRows} reads for buckets of `stepSeconds` from `origin`: the hourly rollup
 * for steps of an hour or more, the 5-minute rollup with raw edges for whole 5-minute steps on
 * 5-minute boundaries, else raw samples.
 */
export function seriesSource(stepSeconds: number, origin: Date): SeriesSource {
  if (stepSeconds >= 3600) return 'hourly';
  // Whole 5-minute slots never straddle two buckets when buckets are whole slots on slot boundaries.
  if (stepSeconds % SLOT_SECONDS === 0 && origin.getTime() % (SLOT_SECONDS * 1000) === 0) return 'rollup-5m';
  return 'raw';
}

/**
 * The statement of a host's buckets in `[from, to)` of `stepSeconds` from `origin`, oldest first,
 * and the source it reads: the hourly rollup (steps of an hour or more), the 5-minute rollup with
 * raw edges (whole 5-minute steps on 5-minute boundaries), or raw samples.
 */
export function seriesRows(
  hostId: string,
  from: Date,
  to: Date,
  stepSeconds: number,
  origin: Date,
): { source: SeriesSource; rows: RawBuilder<SeriesRow> } {
  const width = sql`make_interval(secs => ${stepSeconds})`;
  const source = seriesSource(stepSeconds, origin);
  if (source === 'hourly') {
    return {
      source: 'hourly',
      rows: sql<SeriesRow>`
        SELECT date_bin(${width}, hour, ${origin}) AS bucket, ${MERGED_COLUMNS}
          FROM host_stats_hourly
         WHERE host_id = ${hostId} AND hour >= date_trunc('hour', ${from}::timestamptz) AND hour < ${to} AND samples > 0
         GROUP BY 1 ORDER BY 1`,
    };
  }
  if (source === 'rollup-5m') {
    // Whole slots inside the rollup's coverage come from host_stats_5m; the slot cut by `from`
    // or `to` and anything before or after the coverage come from raw samples, so every
    // bucket holds exactly the samples in the range.
    return {
      source: 'rollup-5m',
      rows: sql<SeriesRow>`
        WITH span AS (
          SELECT greatest(lo, least(hi, c.covered_from)) AS a, greatest(lo, least(hi, c.covered_until)) AS b
            FROM (SELECT date_bin('5 minutes', ${from}::timestamptz + interval '5 minutes' - interval '1 microsecond', 'epoch') AS lo,
                         date_bin('5 minutes', ${to}::timestamptz, 'epoch') AS hi) AS r
            LEFT JOIN host_stats_5m_coverage c ON true
        ), parts AS (
          SELECT bucket AS t, samples, cpu_samples, cpu_sum, cpu_max, mem_sum, mem_max, swap_sum, swap_max,
                 load1_sum, load1_max, disk_max
            FROM host_stats_5m, span
           WHERE host_id = ${hostId} AND bucket >= span.a AND bucket < span.b
          UNION ALL
          SELECT ${RAW_SAMPLE} FROM host_stats
           WHERE host_id = ${hostId} AND time >= ${from} AND time < ${to} AND time < (SELECT a FROM span)
          UNION ALL
          SELECT ${RAW_SAMPLE} FROM host_stats
           WHERE host_id = ${hostId} AND time >= ${from} AND time < ${to} AND time >= (SELECT b FROM span)
        )
        SELECT date_bin(${width}, t, ${origin}) AS bucket, ${MERGED_COLUMNS}
          FROM parts GROUP BY 1 ORDER BY 1`,
    };
  }
  // Only columns of host_stats_series_idx, so an index-only scan of the partitions in the range;
  // sum / count in double precision costs a third less than avg() of real columns.
  return {
    source: 'raw',
    rows: sql<SeriesRow>`
      SELECT date_bin(${width}, time, ${origin}) AS bucket, ${RAW_COLUMNS}
        FROM host_stats
       WHERE host_id = ${hostId} AND time >= ${from} AND time < ${to}
       GROUP BY 1 ORDER BY 1`,
  };
}

// A number as JSON: the shortest text that reads back as the same double, as JSON.stringify writes
// it for the values a series holds (to_json quotes what is no JSON number, such as NaN).
const num = (column: string) => sql.raw(`coalesce(to_json(${column})::text, 'null')`);

// One bucket as the response's JSON object, from a row of SeriesRow's columns.
const POINT_JSON = sql`
  '{"time":"' || to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ||
  '","samples":' || samples ||
  ',"cpuAvg":' || ${num('cpu_avg')} || ',"cpuMax":' || ${num('cpu_max')} ||
  ',"memAvg":' || ${num('mem_avg')} || ',"memMax":' || ${num('mem_max')} ||
  ',"swapAvg":' || ${num('swap_avg')} || ',"swapMax":' || ${num('swap_max')} ||
  ',"load1Avg":' || ${num('load1_avg')} || ',"load1Max":' || ${num('load1_max')} ||
  ',"diskMax":' || ${num('disk_max')} || '}'`;

/**
 * The points of a series as one JSON array in text, `[{"time":…,"samples":…,…}]` oldest first
 * (`[]` when empty), written by PostgreSQL in the bytes the response sends: the API parses no row,
 * date or number of it.
 */
export function seriesPointsJson(rows: RawBuilder<SeriesRow>): RawBuilder<{ points: string }> {
  return sql<{ points: string }>`
    SELECT '[' || coalesce(string_agg(${POINT_JSON}, ',' ORDER BY bucket), '') || ']' AS points
      FROM (${rows}) AS p`;
}

/** One request of {@link rollupSeriesBatch}: a 5-minute-rollup series and the whole buckets its reader holds. */
export interface RollupSeriesQuery {
  readonly hostId: string;
  readonly from: Date;
  readonly to: Date;
  readonly stepSeconds: number;
  readonly origin: Date;
  /** Whole buckets the reader holds, or undefined. */
  readonly known?: KnownRollupBuckets;
}

/** Whole buckets a reader already holds, read under one version of the rollup's coverage. */
export interface KnownRollupBuckets {
  readonly version: string;
  readonly coveredFromMs: number;
  readonly coveredUntilMs: number;
  /** `[fromMs, toMs)`: whole buckets inside the range and the coverage. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** One bucket of {@link rollupSeriesBatch}, with its request and the coverage the statement read. */
export interface RollupPointRow {
  /** The request's position in the batch, from 1. */
  n: number;
  /** The coverage row's `xmin`: maintenance moves the coverage in the transaction that writes the rollup. */
  version: string | null;
  covered_from: number | null;
  covered_until: number | null;
  /** Bucket start in epoch milliseconds; null in the one row of an empty series. */
  bucket: number | null;
  /** The bucket as the response's JSON object (as {@link seriesPointsJson} writes it). */
  point: string | null;
}

const ROLLUP_PART = sql`
  bucket AS t, samples, cpu_samples, cpu_sum, cpu_max, mem_sum, mem_max, swap_sum, swap_max, load1_sum, load1_max, disk_max`;
const ms = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);
// The ISO form of a time on a 5-minute boundary (a rollup series' origin and held bounds): such
// times are few, so their texts are kept (and all forgotten should there be many).
const slotIsos = new Map<number, string>();
const slotIso = (ms: number): string => {
  let text = slotIsos.get(ms);
  if (text === undefined) {
    if (slotIsos.size >= 10_000) slotIsos.clear();
    text = new Date(ms).toISOString();
    slotIsos.set(ms, text);
  }
  return text;
};

// The statement's text, compiled once: it is the same for every batch, whose requests are its one
// parameter ($1, JSON), so one prepared statement; and the same string each time, so looking up its
// statement name hashes it once.
const ROLLUP_BATCH = new PostgresQueryCompiler().compileQuery(
  sql`
  WITH c AS MATERIALIZED (
    SELECT xmin::text AS version, covered_from, covered_until, ${ms('covered_from')} AS from_ms,
           ${ms('covered_until')} AS until_ms
      FROM host_stats_5m_coverage LIMIT 1
  )
  SELECT r.n::int AS n, c.version, c.from_ms AS covered_from, c.until_ms AS covered_until,
         ${ms('p.bucket')} AS bucket, p.point
    FROM ROWS FROM (json_to_recordset($1::json) AS (h text, f timestamptz, t timestamptz, s int, o timestamptz,
                                                          kv text, kf float8, ku float8, hf timestamptz, ht timestamptz))
         WITH ORDINALITY AS r (host_id, f, t, step, origin, known_version, known_from, known_until, held_from, held_to, n)
    LEFT JOIN c ON true
    -- The whole slots inside the range and the coverage, [a, b); no coverage row reads all raw.
    CROSS JOIN LATERAL (
      SELECT greatest(lo, least(hi, c.covered_from)) AS a, greatest(lo, least(hi, c.covered_until)) AS b
        FROM (SELECT date_bin('5 minutes', r.f + interval '5 minutes' - interval '1 microsecond', 'epoch') AS lo,
                     date_bin('5 minutes', r.t, 'epoch') AS hi) AS x
    ) AS w
    -- The held span [s, e) inside [a, b), empty (at a) unless the coverage is the one it was read under.
    CROSS JOIN LATERAL (
      SELECT CASE WHEN held THEN greatest(w.a, least(w.b, r.held_from)) ELSE w.a END AS s,
             CASE WHEN held THEN greatest(w.a, least(w.b, r.held_from), least(w.b, r.held_to)) ELSE w.a END AS e
        FROM (SELECT coalesce(r.known_version = c.version AND r.known_from = c.from_ms
                              AND r.known_until = c.until_ms, false) AS held) AS k
    ) AS h
    LEFT JOIN LATERAL (
      SELECT bucket, ${POINT_JSON} AS point FROM (
        SELECT date_bin(make_interval(secs => r.step), t, r.origin) AS bucket, ${MERGED_COLUMNS}
          FROM (
            SELECT ${ROLLUP_PART} FROM host_stats_5m WHERE host_id = r.host_id AND bucket >= w.a AND bucket < h.s
            UNION ALL
            SELECT ${ROLLUP_PART} FROM host_stats_5m WHERE host_id = r.host_id AND bucket >= h.e AND bucket < w.b
            UNION ALL
            SELECT ${RAW_SAMPLE} FROM host_stats
             WHERE host_id = r.host_id AND time >= r.f AND time < r.t AND time < w.a
            UNION ALL
            SELECT ${RAW_SAMPLE} FROM host_stats
             WHERE host_id = r.host_id AND time >= r.f AND time < r.t AND time >= w.b
          ) AS parts (t, samples, cpu_samples, cpu_sum, cpu_max, mem_sum, mem_max, swap_sum, swap_max,
                      load1_sum, load1_max, disk_max)
         GROUP BY 1
      ) AS buckets
    ) AS p ON true
   ORDER BY r.n, p.bucket`.toOperationNode(),
  createQueryId(),
).sql;

/**
 * The buckets of several 5-minute-rollup series in one statement, one row per bucket with its JSON
 * object and the request's position `n`, ordered by `n` and bucket; a request without buckets is
 * one row with a null bucket. Each request reads what {@link seriesRows}' 5-minute rollup with raw
 * edges reads (whole slots inside the range and the coverage from `host_stats_5m`, raw samples
 * before and after them, in that order, so each bucket's sums add the same numbers in the same
 * order), less the whole buckets of `known` when the coverage the statement reads is the one
 * `known` was read under; when it is not, the request's rows are its whole series. The reader tells
 * which by comparing the row's coverage with `known`.
 */
export function rollupSeriesBatch(requests: readonly RollupSeriesQuery[]): CompiledQuery<RollupPointRow> {
  // The requests as one JSON parameter, not an array per field: the planner estimates a JSON record
  // set at a fixed size whatever it holds, so the prepared statement settles on one generic plan.
  // With arrays it saw each batch's length, found a custom plan cheaper for small batches and
  // planned each of those again (about 1.1 ms, where a batch of one executes in 0.3 ms). Written
  // as text rather than through an object per request and JSON.stringify, which with the times'
  // ISO forms was 4 % of the process's time serving series as fast as it could.
  let batch = '[';
  for (let i = 0; i < requests.length; i++) {
    const { hostId, from, to, stepSeconds, origin, known } = requests[i]!;
    batch +=
      `${i === 0 ? '' : ','}{"h":${JSON.stringify(hostId)},"f":"${from.toISOString()}","t":"${to.toISOString()}",` +
      `"s":${stepSeconds},"o":"${slotIso(origin.getTime())}"`;
    if (known !== undefined) {
      batch +=
        `,"kv":${JSON.stringify(known.version)},"kf":${JSON.stringify(known.coveredFromMs)},` +
        `"ku":${JSON.stringify(known.coveredUntilMs)},"hf":"${slotIso(known.fromMs)}","ht":"${slotIso(known.toMs)}"`;
    }
    batch += '}';
  }
  batch += ']';
  return CompiledQuery.raw(ROLLUP_BATCH, [batch]) as CompiledQuery<RollupPointRow>;
}
