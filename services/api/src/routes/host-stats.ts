import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ClientError } from '../http/client-error.js';
import { errorResponses } from '../http/error-response.js';
import { DateTime, HostId, HostParams, Nullable, StringEnum } from '../schemas/common.js';
import { resolveRange } from './time-range.js';
import type { RouteContext } from './route-context.js';

const StatsPoint = Type.Object(
  {
    time: { ...DateTime, description: 'Start of the bucket' },
    samples: Type.Integer({ description: 'Samples in the bucket' }),
    cpuAvg: Nullable(Type.Number()),
    cpuMax: Nullable(Type.Number()),
    memAvg: Type.Number(),
    memMax: Type.Number(),
    swapAvg: Type.Number(),
    swapMax: Type.Number(),
    load1Avg: Type.Number(),
    load1Max: Type.Number(),
    diskMax: Nullable(Type.Number({ description: 'Fullest file system, highest in the bucket' })),
  },
  { additionalProperties: false, title: 'StatsPoint' },
);

const StatsSeries = Type.Object(
  {
    hostId: HostId,
    from: DateTime,
    to: DateTime,
    stepSeconds: Type.Integer(),
    source: StringEnum(['raw', 'rollup-5m', 'hourly'], {
      description:
        'raw: every sample; rollup-5m: the 5-minute rollup for whole 5-minute slots and raw samples for the rest ' +
        '(steps of whole 5 minutes on 5-minute boundaries, exact); hourly: the hourly rollup (steps of an hour or more)',
    }),
    points: Type.Array(StatsPoint, { description: 'Buckets with at least one sample, oldest first' }),
  },
  { additionalProperties: false, title: 'StatsSeries' },
);

interface PointRow {
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

const MAX_BUCKETS = 2000;
const SLOT_SECONDS = 300;

/**
 * The step and bucket origin for a range: `step` as asked, buckets starting at `from`; or, from
 * `buckets`, a step that when it is 4 minutes or more (and under an hour) is rounded to whole
 * 5 minutes with buckets on the clock's 5-minute boundaries, so the 5-minute rollup serves it.
 */
export function chooseStep(
  from: Date,
  to: Date,
  step: number | undefined,
  buckets: number | undefined,
): { stepSeconds: number; origin: Date } {
  if (step !== undefined) return { stepSeconds: step, origin: from };
  const rangeSeconds = (to.getTime() - from.getTime()) / 1000;
  const exact = Math.max(10, Math.ceil(rangeSeconds / (buckets ?? 300)));
  if (exact < 240 || exact >= 3600) return { stepSeconds: exact, origin: from };
  return { stepSeconds: Math.max(1, Math.round(exact / SLOT_SECONDS)) * SLOT_SECONDS, origin: new Date(0) };
}

// One raw sample in the shape of a rollup row.
const RAW_SAMPLE = sql`
  time, 1, (cpu_used_percent IS NOT NULL)::int, coalesce(cpu_used_percent::float8, 0), cpu_used_percent,
  mem_used_percent::float8, mem_used_percent, swap_used_percent::float8, swap_used_percent,
  load1::float8, load1, disk_max_used_percent`;

const RAW_COLUMNS = sql`
  count(*)::int AS samples,
  sum(cpu_used_percent::float8) / count(cpu_used_percent) AS cpu_avg, max(cpu_used_percent) AS cpu_max,
  sum(mem_used_percent::float8) / count(*) AS mem_avg, max(mem_used_percent) AS mem_max,
  sum(swap_used_percent::float8) / count(*) AS swap_avg, max(swap_used_percent) AS swap_max,
  sum(load1::float8) / count(*) AS load1_avg, max(load1) AS load1_max,
  max(disk_max_used_percent) AS disk_max`;

async function hostExists(ctx: RouteContext, hostId: string): Promise<boolean> {
  if (ctx.snapshot.host(hostId) !== undefined) return true;
  const row = await ctx.db
    .selectFrom('hosts')
    .select('host_id')
    .where('host_id', '=', hostId)
    .executeTakeFirst();
  return row !== undefined;
}

/** `/api/v1/hosts/{hostId}/stats`: a host's stats over a range in server-side buckets (avg and max). */
export const hostStatsRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  app.get(
    '/hosts/:hostId/stats',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['stats'],
        operationId: 'getHostStats',
        summary: 'Stats time series of one host in buckets: average and maximum of each',
        description:
          'The range is cut into buckets of `step` seconds starting at `from`, or into about `buckets` buckets (default 300): ' +
          "a step chosen from `buckets` of 4 minutes or more is rounded to whole 5 minutes, with buckets on the clock's 5-minute boundaries. " +
          'Steps of whole 5 minutes on 5-minute boundaries read the 5-minute rollup (exact); steps of an hour or more read the hourly rollup, ' +
          'so long ranges stay cheap.',
        params: HostParams,
        querystring: Type.Object(
          {
            from: Type.Optional({ ...DateTime, description: 'Start (default: 24 h before `to`)' }),
            to: Type.Optional({ ...DateTime, description: 'End, exclusive (default: now)' }),
            step: Type.Optional(
              Type.Integer({ minimum: 10, maximum: 31 * 86400, description: 'Bucket width in seconds' }),
            ),
            buckets: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 1000, description: 'Number of buckets (default 300)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: StatsSeries, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { hostId } = request.params;
      const { step, buckets } = request.query;
      if (step !== undefined && buckets !== undefined) {
        throw new ClientError(
          400,
          'and querystring.buckets exclude each other; give one',
          'querystring.step',
        );
      }
      const { from, to } = resolveRange(request.query, ctx.now(), 86_400_000);
      const rangeSeconds = (to.getTime() - from.getTime()) / 1000;
      const { stepSeconds, origin } = chooseStep(from, to, step, buckets);
      if (rangeSeconds / stepSeconds > MAX_BUCKETS) {
        throw new ClientError(
          400,
          `gives ${Math.ceil(rangeSeconds / stepSeconds)} buckets; at most ${MAX_BUCKETS}`,
          'querystring.step',
        );
      }
      const hourly = stepSeconds >= 3600;
      // Whole 5-minute slots never straddle two buckets when buckets are whole slots on slot boundaries.
      const slotAligned = stepSeconds % SLOT_SECONDS === 0 && origin.getTime() % (SLOT_SECONDS * 1000) === 0;
      const width = sql`make_interval(secs => ${stepSeconds})`;
      const query = hourly
        ? sql<PointRow>`
            SELECT date_bin(${width}, hour, ${origin}) AS bucket, sum(samples)::int AS samples,
                   sum(cpu_sum) / nullif(sum(cpu_samples), 0) AS cpu_avg, max(cpu_max) AS cpu_max,
                   sum(mem_sum) / sum(samples) AS mem_avg, max(mem_max) AS mem_max,
                   sum(swap_sum) / sum(samples) AS swap_avg, max(swap_max) AS swap_max,
                   sum(load1_sum) / sum(samples) AS load1_avg, max(load1_max) AS load1_max,
                   max(disk_max) AS disk_max
              FROM host_stats_hourly
             WHERE host_id = ${hostId} AND hour >= date_trunc('hour', ${from}::timestamptz) AND hour < ${to} AND samples > 0
             GROUP BY 1 ORDER BY 1`
        : slotAligned
          ? // Whole slots inside the rollup's coverage come from host_stats_5m; the slot cut by \`from\`
            // or \`to\` and anything before or after the coverage come from raw samples, so every
            // bucket holds exactly the samples in the range.
            sql<PointRow>`
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
            SELECT date_bin(${width}, t, ${origin}) AS bucket, sum(samples)::int AS samples,
                   sum(cpu_sum) / nullif(sum(cpu_samples), 0) AS cpu_avg, max(cpu_max) AS cpu_max,
                   sum(mem_sum) / sum(samples) AS mem_avg, max(mem_max) AS mem_max,
                   sum(swap_sum) / sum(samples) AS swap_avg, max(swap_max) AS swap_max,
                   sum(load1_sum) / sum(samples) AS load1_avg, max(load1_max) AS load1_max,
                   max(disk_max) AS disk_max
              FROM parts GROUP BY 1 ORDER BY 1`
          : // Only columns of host_stats_series_idx, so an index-only scan of the partitions in the range;
            // sum / count in double precision costs a third less than avg() of real columns.
            sql<PointRow>`
            SELECT date_bin(${width}, time, ${origin}) AS bucket, ${RAW_COLUMNS}
              FROM host_stats
             WHERE host_id = ${hostId} AND time >= ${from} AND time < ${to}
             GROUP BY 1 ORDER BY 1`;
      const { rows } = await query.execute(ctx.db);
      // Samples are stored only for known hosts (and hosts are never deleted): only an empty series asks.
      if (rows.length === 0 && !(await hostExists(ctx, hostId)))
        throw new ClientError(404, `no host ${hostId}`);
      return {
        hostId,
        from: from.toISOString(),
        to: to.toISOString(),
        stepSeconds,
        source: hourly ? ('hourly' as const) : slotAligned ? ('rollup-5m' as const) : ('raw' as const),
        points: rows.map((r) => ({
          time: r.bucket.toISOString(),
          samples: r.samples,
          cpuAvg: r.cpu_avg === null ? null : Number(r.cpu_avg),
          cpuMax: r.cpu_max,
          memAvg: Number(r.mem_avg),
          memMax: r.mem_max,
          swapAvg: Number(r.swap_avg),
          swapMax: r.swap_max,
          load1Avg: Number(r.load1_avg),
          load1Max: r.load1_max,
          diskMax: r.disk_max,
        })),
      };
    },
  );
};
