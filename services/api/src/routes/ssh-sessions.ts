import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ClientError } from '../http/client-error.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { errorResponses } from '../http/error-response.js';
import { sessionOutcome } from '../live/live-feed.js';
import { Cursor, DateTime, HostId, Limit, Nullable, Page, StringEnum } from '../schemas/common.js';
import { resolveRange } from './time-range.js';
import type { RouteContext } from './route-context.js';

/** How an ssh session ended up. */
export const SessionOutcome = StringEnum(['accepted', 'failed', 'probe'], {
  description:
    'accepted: someone logged in; failed: login attempts, none accepted; probe: no login attempted',
});

const SshSession = Type.Object(
  {
    hostId: HostId,
    session: Type.String({ description: 'Session id, unique per host' }),
    startedAt: DateTime,
    endedAt: DateTime,
    source: Nullable(Type.String({ description: 'Remote address or name' })),
    port: Nullable(Type.Integer()),
    users: Type.Array(Type.String(), { description: 'User names tried or logged in' }),
    methods: Type.Array(Type.String()),
    failures: Type.Integer(),
    invalidUsers: Type.Integer(),
    accepted: Type.Integer(),
    outcome: SessionOutcome,
    closed: Type.Boolean(),
  },
  { additionalProperties: false, title: 'SshSession' },
);

const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

interface SessionRow {
  host_id: string;
  session: string;
  started_at: Date;
  ended_at: Date;
  source: string | null;
  port: number | null;
  users: string[];
  methods: string[];
  failures: number;
  invalid_users: number;
  accepted: number;
  closed: boolean;
  started_key: string;
}

/** `/api/v1/ssh/sessions`: ssh connections with filters, newest first, in cursor pages. */
export const sshSessionRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  app.get(
    '/ssh/sessions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['ssh'],
        operationId: 'listSshSessions',
        summary: 'SSH sessions (one per connection), newest first, filtered and paged',
        querystring: Type.Object(
          {
            host: Type.Optional(HostId),
            source: Type.Optional(
              Type.String({ minLength: 1, maxLength: 255, description: 'Exact remote address or name' }),
            ),
            user: Type.Optional(
              Type.String({ minLength: 1, maxLength: 255, description: 'A user name the session tried' }),
            ),
            outcome: Type.Optional(SessionOutcome),
            from: Type.Optional({
              ...DateTime,
              description: 'Sessions started at or after (default: 7 days before `to`)',
            }),
            to: Type.Optional({ ...DateTime, description: 'Sessions started before (default: now)' }),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(SshSession, 'SshSessionPage'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const { from, to } = resolveRange(q, ctx.now(), 7 * 86_400_000);
      const conditions = [sql`started_at >= ${from}`, sql`started_at < ${to}`];
      if (q.host !== undefined) conditions.push(sql`host_id = ${q.host}`);
      if (q.source !== undefined) conditions.push(sql`source = ${q.source}`);
      if (q.user !== undefined) conditions.push(sql`users @> ARRAY[${q.user}]::text[]`);
      if (q.outcome === 'accepted') conditions.push(sql`accepted > 0`);
      if (q.outcome === 'failed') conditions.push(sql`accepted = 0 AND (failures > 0 OR invalid_users > 0)`);
      if (q.outcome === 'probe') conditions.push(sql`accepted = 0 AND failures = 0 AND invalid_users = 0`);
      if (q.cursor !== undefined) {
        const [started, host, session] = decodeCursor(q.cursor, 3);
        if (!PG_TIMESTAMP.test(String(started)))
          throw new ClientError(400, 'is not a cursor this API returned', 'querystring.cursor');
        conditions.push(
          sql`(started_at, host_id, session) < (${String(started)}::timestamptz, ${String(host)}, ${String(session)})`,
        );
      }
      const { rows } = await sql<SessionRow>`
        SELECT host_id, session, started_at, ended_at, source, port, users, methods, failures, invalid_users, accepted, closed,
               started_at::text AS started_key
          FROM ssh_sessions
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY started_at DESC, host_id DESC, session DESC
         LIMIT ${limit + 1}`.execute(ctx.db);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          hostId: r.host_id,
          session: r.session,
          startedAt: r.started_at.toISOString(),
          endedAt: r.ended_at.toISOString(),
          source: r.source,
          port: r.port,
          users: r.users,
          methods: r.methods,
          failures: r.failures,
          invalidUsers: r.invalid_users,
          accepted: r.accepted,
          outcome: sessionOutcome(r),
          closed: r.closed,
        })),
        nextCursor:
          rows.length > limit && last ? encodeCursor([last.started_key, last.host_id, last.session]) : null,
      };
    },
  );
};
