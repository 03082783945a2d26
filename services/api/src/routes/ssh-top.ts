import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { errorResponses } from '../http/error-response.js';
import { DateTime, HostId } from '../schemas/common.js';
import { resolveRange } from './time-range.js';
import type { RouteContext } from './route-context.js';

const TopQuery = Type.Object(
  {
    host: Type.Optional({ ...HostId, description: 'One host (default: the whole fleet)' }),
    from: Type.Optional({
      ...DateTime,
      description: 'Sessions started at or after (default: 24 h before `to`)',
    }),
    to: Type.Optional({ ...DateTime, description: 'Sessions started before (default: now)' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
);

const counts = {
  sessions: Type.Integer({ description: 'SSH connections' }),
  failures: Type.Integer({ description: 'Failed logins (invalid users included)' }),
  accepted: Type.Integer({ description: 'Successful logins' }),
  hosts: Type.Integer({ description: 'Distinct hosts reached' }),
  lastSeen: DateTime,
};

const TopSources = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          source: Type.String(),
          ...counts,
          users: Type.Integer({ description: 'Distinct user names tried' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'TopSshSources' },
);

const TopUsers = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          user: Type.String(),
          ...counts,
          sources: Type.Integer({ description: 'Distinct remote addresses' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'TopSshUsers' },
);

interface TopRow {
  key: string;
  sessions: string;
  failures: string;
  accepted: string;
  hosts: string;
  other: string;
  last_seen: Date;
}

/** `/api/v1/ssh/top-sources` and `/api/v1/ssh/top-users`: who knocks most over a range, fleet-wide or on one host. */
export const sshTopRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  const top = async (
    query: { host?: string; from?: string; to?: string; limit?: number },
    by: 'source' | 'user',
  ) => {
    const { from, to } = resolveRange(query, ctx.now(), 86_400_000);
    const host = query.host === undefined ? sql`` : sql`AND host_id = ${query.host}`;
    const { rows } =
      by === 'source'
        ? await sql<TopRow>`
            WITH s AS (
              SELECT host_id, session, source, users, failures, invalid_users, accepted, ended_at
                FROM ssh_sessions
               WHERE started_at >= ${from} AND started_at < ${to} AND source IS NOT NULL ${host}
            ), top AS (
              SELECT source AS key, count(*) AS sessions, sum(failures + invalid_users) AS failures, sum(accepted) AS accepted,
                     count(DISTINCT host_id) AS hosts, max(ended_at) AS last_seen
                FROM s GROUP BY source ORDER BY count(*) DESC, source LIMIT ${query.limit ?? 10}
            )
            SELECT top.*, (SELECT count(DISTINCT u) FROM s CROSS JOIN LATERAL unnest(s.users) AS u WHERE s.source = top.key) AS other
              FROM top ORDER BY top.sessions DESC, top.key`.execute(ctx.db)
        : await sql<TopRow>`
            SELECT u AS key, count(*) AS sessions, sum(failures + invalid_users) AS failures, sum(accepted) AS accepted,
                   count(DISTINCT host_id) AS hosts, count(DISTINCT source) AS other, max(ended_at) AS last_seen
              FROM ssh_sessions CROSS JOIN LATERAL unnest(users) AS u
             WHERE started_at >= ${from} AND started_at < ${to} ${host}
             GROUP BY u ORDER BY count(*) DESC, u LIMIT ${query.limit ?? 10}`.execute(ctx.db);
    return rows;
  };
  const numbers = (r: TopRow) => ({
    sessions: Number(r.sessions),
    failures: Number(r.failures),
    accepted: Number(r.accepted),
    hosts: Number(r.hosts),
    lastSeen: r.last_seen.toISOString(),
  });

  app.get(
    '/ssh/top-sources',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['ssh'],
        operationId: 'listTopSshSources',
        summary: 'Remote addresses with the most SSH sessions over a range',
        querystring: TopQuery,
        response: { 200: TopSources, ...errorResponses() },
      },
    },
    async (request) => ({
      items: (await top(request.query, 'source')).map((r) => ({
        source: r.key,
        ...numbers(r),
        users: Number(r.other),
      })),
    }),
  );

  app.get(
    '/ssh/top-users',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['ssh'],
        operationId: 'listTopSshUsers',
        summary: 'User names tried in the most SSH sessions over a range',
        querystring: TopQuery,
        response: { 200: TopUsers, ...errorResponses() },
      },
    },
    async (request) => ({
      items: (await top(request.query, 'user')).map((r) => ({
        user: r.key,
        ...numbers(r),
        sources: Number(r.other),
      })),
    }),
  );
};
