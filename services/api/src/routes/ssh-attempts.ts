import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ClientError } from '../http/client-error.js';
import { errorResponses } from '../http/error-response.js';
import { Day, HostId } from '../schemas/common.js';
import type { RouteContext } from './route-context.js';

const AttemptsDay = Type.Object(
  {
    hostId: HostId,
    day: Day,
    attempts: Type.Integer({ description: 'SSH connections (sessions) that day' }),
    failures: Type.Integer({ description: 'Failed logins' }),
    invalidUsers: Type.Integer({ description: 'Logins as users that do not exist' }),
    accepted: Type.Integer({ description: 'Successful logins' }),
    sources: Type.Integer({ description: 'Distinct remote addresses' }),
  },
  { additionalProperties: false, title: 'SshAttemptsDay' },
);

interface DayRow {
  host_id: string;
  day: string;
  attempts: number;
  failures: number;
  invalid_users: number;
  accepted: number;
  sources: number;
}

const DAY_MS = 86_400_000;

/** `/api/v1/ssh/attempts`: ssh attempts per host per UTC day, what the original client showed. */
export const sshAttemptRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  app.get(
    '/ssh/attempts',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['ssh'],
        operationId: 'listSshAttemptsPerDay',
        summary:
          'SSH attempts per host per UTC day: connections, failed, invalid-user and accepted logins, sources',
        querystring: Type.Object(
          {
            host: Type.Optional(HostId),
            from: Type.Optional({ ...Day, description: 'First day (default: 29 days before `to`)' }),
            to: Type.Optional({ ...Day, description: 'Last day, inclusive (default: today, UTC)' }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            { items: Type.Array(AttemptsDay) },
            { additionalProperties: false, title: 'SshAttemptsPerDay' },
          ),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const { host } = request.query;
      const to = request.query.to ?? ctx.now().toISOString().slice(0, 10);
      const from = request.query.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
      if (from > to) throw new ClientError(400, 'must not be after querystring.to', 'querystring.from');
      if (Date.parse(to) - Date.parse(from) > 400 * DAY_MS)
        throw new ClientError(400, 'is more than 400 days before querystring.to', 'querystring.from');
      const { rows } = await sql<DayRow>`
        SELECT host_id, to_char(day, 'YYYY-MM-DD') AS day, attempts, failures, invalid_users, accepted, sources
          FROM ssh_daily
         WHERE day BETWEEN ${from}::date AND ${to}::date ${host === undefined ? sql`` : sql`AND host_id = ${host}`}
         ORDER BY day, host_id`.execute(ctx.db);
      return {
        items: rows.map((r) => ({
          hostId: r.host_id,
          day: r.day,
          attempts: r.attempts,
          failures: r.failures,
          invalidUsers: r.invalid_users,
          accepted: r.accepted,
          sources: r.sources,
        })),
      };
    },
  );
};
