import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ClientError } from '../http/client-error.js';
import { errorResponses } from '../http/error-response.js';
import { sendPieces } from '../http/send-pieces.js';
import { DateTime, HostId, HostParams, Nullable, StringEnum } from '../schemas/common.js';
import { seriesPointsJson, seriesRows, seriesSource } from '../queries/stats-series.js';
import { RollupSeriesReader } from '../series/rollup-series-reader.js';
import { SeriesBucketCache } from '../series/series-bucket-cache.js';
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

const MAX_BUCKETS = 2000;
const JSON_TYPE = 'application/json; charset=utf-8';
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
  return { stepSeconds: Math.max(1, Math.round(exact / SLOT_SECONDS)) * SLOT_SECONDS, origin: EPOCH };
}

// The clock's 5-minute boundaries' origin; never changed (nothing calls a setter on an origin).
const EPOCH = new Date(0);

// Samples are stored only for known hosts (and hosts are never deleted): only an empty series asks.
async function refuseUnknownHost(ctx: RouteContext, hostId: string): Promise<void> {
  if (!(await hostExists(ctx, hostId))) throw new ClientError(404, `no host ${hostId}`);
}

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
  const rollup = new RollupSeriesReader(ctx.db, new SeriesBucketCache(ctx.seriesCacheBytes));
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
    async (request, reply) => {
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
      const source = seriesSource(stepSeconds, origin);
      // The envelope in the schema's order; PostgreSQL writes the points as JSON text.
      const prefix =
        `{"hostId":${JSON.stringify(hostId)},"from":"${from.toISOString()}","to":"${to.toISOString()}",` +
        `"stepSeconds":${stepSeconds},"source":"${source}","points":`;
      if (source === 'rollup-5m') {
        const { pieces, length, empty } = await rollup.read(
          { hostId, from, to, stepSeconds, origin },
          prefix,
        );
        if (empty) await refuseUnknownHost(ctx, hostId);
        return sendPieces(reply, JSON_TYPE, pieces, length);
      }
      const {
        rows: [row],
      } = await seriesPointsJson(seriesRows(hostId, from, to, stepSeconds, origin).rows).execute(ctx.db);
      const points = row?.points ?? '[]';
      if (points === '[]') await refuseUnknownHost(ctx, hostId);
      return reply.type(JSON_TYPE).send(`${prefix}${points}}` as never);
    },
  );
};
