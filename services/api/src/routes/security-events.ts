import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ClientError } from '../http/client-error.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { errorResponses } from '../http/error-response.js';
import { Cursor, DateTime, HostId, Limit, Nullable, Page } from '../schemas/common.js';
import { resolveRange } from './time-range.js';
import type { RouteContext } from './route-context.js';

const SecurityEvent = Type.Object(
  {
    hostId: HostId,
    eventId: Type.String(),
    time: DateTime,
    type: Type.String({ description: 'sudo, su, user and group changes, …' }),
    logHost: Nullable(Type.String()),
    user: Nullable(Type.String()),
    target: Nullable(Type.String()),
    command: Nullable(Type.String()),
    tty: Nullable(Type.String()),
    allowed: Nullable(Type.Boolean()),
    detail: Nullable(Type.String()),
  },
  { additionalProperties: false, title: 'SecurityEvent' },
);

interface EventRow {
  host_id: string;
  event_id: string;
  time: Date;
  time_key: string;
  type: string;
  log_host: string | null;
  username: string | null;
  target: string | null;
  command: string | null;
  tty: string | null;
  allowed: boolean | null;
  detail: string | null;
}

const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** `/api/v1/security-events`: sudo, su and account changes on the hosts, newest first. */
export const securityEventRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  app.get(
    '/security-events',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['security'],
        operationId: 'listSecurityEvents',
        summary: 'Security events (sudo, su, user and group changes), newest first, filtered and paged',
        querystring: Type.Object(
          {
            host: Type.Optional(HostId),
            type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            user: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            from: Type.Optional({ ...DateTime, description: 'At or after (default: 7 days before `to`)' }),
            to: Type.Optional({ ...DateTime, description: 'Before (default: now)' }),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(SecurityEvent, 'SecurityEventPage'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const { from, to } = resolveRange(q, ctx.now(), 7 * 86_400_000);
      const conditions = [sql`time >= ${from}`, sql`time < ${to}`];
      if (q.host !== undefined) conditions.push(sql`host_id = ${q.host}`);
      if (q.type !== undefined) conditions.push(sql`type = ${q.type}`);
      if (q.user !== undefined) conditions.push(sql`username = ${q.user}`);
      if (q.cursor !== undefined) {
        const [time, host, id] = decodeCursor(q.cursor, 3);
        if (!PG_TIMESTAMP.test(String(time)))
          throw new ClientError(400, 'is not a cursor this API returned', 'querystring.cursor');
        conditions.push(
          sql`(time, host_id, event_id) < (${String(time)}::timestamptz, ${String(host)}, ${String(id)})`,
        );
      }
      const { rows } = await sql<EventRow>`
        SELECT host_id, event_id, time, time::text AS time_key, type, log_host, username, target, command, tty, allowed, detail
          FROM security_events
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY time DESC, host_id DESC, event_id DESC
         LIMIT ${limit + 1}`.execute(ctx.db);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          hostId: r.host_id,
          eventId: r.event_id,
          time: r.time.toISOString(),
          type: r.type,
          logHost: r.log_host,
          user: r.username,
          target: r.target,
          command: r.command,
          tty: r.tty,
          allowed: r.allowed,
          detail: r.detail,
        })),
        nextCursor:
          rows.length > limit && last ? encodeCursor([last.time_key, last.host_id, last.event_id]) : null,
      };
    },
  );
};
