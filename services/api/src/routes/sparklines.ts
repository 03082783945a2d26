import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { errorResponses } from '../http/error-response.js';
import { DateTime, HostId, Nullable } from '../schemas/common.js';
import type { RouteContext } from './route-context.js';

const Sparkline = Type.Object(
  {
    hostId: HostId,
    cpu: Type.Array(Nullable(Type.Number()), {
      description: 'Average CPU % per bucket, oldest first; null where no sample',
    }),
    mem: Type.Array(Nullable(Type.Number()), { description: 'Average memory % per bucket' }),
  },
  { additionalProperties: false, title: 'Sparkline' },
);

interface BucketRow {
  host_id: string;
  bucket: number;
  cpu: number | null;
  mem: number | null;
}

/** `/api/v1/stats/sparklines`: recent CPU and memory of many hosts at once, for the fleet view. */
export const sparklineRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  app.get(
    '/stats/sparklines',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['stats'],
        operationId: 'getSparklines',
        summary: 'Recent CPU and memory of up to 200 hosts in a few buckets each, in one query',
        querystring: Type.Object(
          {
            hosts: Type.String({
              pattern: '^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){0,199}$',
              description: 'Comma-separated host ids, at most 200',
            }),
            minutes: Type.Optional(
              Type.Integer({ minimum: 5, maximum: 1440, default: 60, description: 'How far back' }),
            ),
            points: Type.Optional(
              Type.Integer({ minimum: 2, maximum: 120, default: 30, description: 'Buckets per host' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            { from: DateTime, to: DateTime, items: Type.Array(Sparkline) },
            { additionalProperties: false, title: 'SparklineList' },
          ),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const hosts = [...new Set(request.query.hosts.split(','))];
      const minutes = request.query.minutes ?? 60;
      const points = request.query.points ?? 30;
      const to = ctx.now();
      const from = new Date(to.getTime() - minutes * 60_000);
      const stepMs = (minutes * 60_000) / points;
      const { rows } = await sql<BucketRow>`
        SELECT host_id, floor(extract(epoch FROM time - ${from}::timestamptz) * 1000 / ${stepMs})::int AS bucket,
               avg(cpu_used_percent) AS cpu, avg(mem_used_percent) AS mem
          FROM host_stats
         WHERE host_id = ANY(${hosts}::text[]) AND time >= ${from} AND time < ${to}
         GROUP BY 1, 2`.execute(ctx.db);
      const series = new Map(
        hosts.map((h) => [
          h,
          {
            hostId: h,
            cpu: Array<number | null>(points).fill(null),
            mem: Array<number | null>(points).fill(null),
          },
        ]),
      );
      for (const row of rows) {
        const line = series.get(row.host_id);
        if (!line || row.bucket < 0 || row.bucket >= points) continue;
        line.cpu[row.bucket] = row.cpu === null ? null : Number(row.cpu);
        line.mem[row.bucket] = row.mem === null ? null : Number(row.mem);
      }
      return { from: from.toISOString(), to: to.toISOString(), items: [...series.values()] };
    },
  );
};
