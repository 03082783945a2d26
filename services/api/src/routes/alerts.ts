import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ClientError } from '../http/client-error.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { errorResponses } from '../http/error-response.js';
import { Cursor, DateTime, HostId, Limit, Nullable, Page, StringEnum } from '../schemas/common.js';
import { resolveRange } from './time-range.js';
import type { RouteContext } from './route-context.js';

const Alert = Type.Object(
  {
    seriesKey: Type.String({ description: 'Identifies the alert: rule, host and label' }),
    ruleKey: Type.String(),
    hostId: Nullable(Type.String()),
    type: Type.String({ description: 'cpu, memory, disk, swap, load, offline, ssh failures, …' }),
    label: Nullable(Type.String()),
    state: StringEnum(['pending', 'firing'], {
      description: 'pending: over the limit, waiting out its duration; firing: notified',
    }),
    since: DateTime,
    firedAt: Nullable(DateTime),
    lastValue: Type.Number(),
    lastTime: DateTime,
    notifiedAt: Nullable(DateTime),
    notifications: Type.Integer(),
  },
  { additionalProperties: false, title: 'Alert' },
);

const AlertNotification = Type.Object(
  {
    id: Type.String(),
    kind: StringEnum(['alert', 'security']),
    subject: Type.String({ description: 'The mail subject: what fired or resolved, on which host' }),
    recipients: Type.Array(Type.String()),
    status: StringEnum(['pending', 'sent', 'failed']),
    attempts: Type.Integer(),
    lastError: Nullable(Type.String()),
    createdAt: DateTime,
    sentAt: Nullable(DateTime),
  },
  { additionalProperties: false, title: 'AlertNotification' },
);

/** A row of `alerter_alerts` as the API reads it. */
export interface AlertRow {
  series_key: string;
  rule_key: string;
  host_id: string | null;
  type: string;
  label: string | null;
  state: 'pending' | 'firing';
  since: Date;
  fired_at: Date | null;
  last_value: number;
  last_time: Date;
  notified_at: Date | null;
  notifications: number;
}

/** An alert row as the API shows it. */
export function alertBody(r: AlertRow) {
  return {
    seriesKey: r.series_key,
    ruleKey: r.rule_key,
    hostId: r.host_id,
    type: r.type,
    label: r.label,
    state: r.state,
    since: r.since.toISOString(),
    firedAt: r.fired_at?.toISOString() ?? null,
    lastValue: r.last_value,
    lastTime: r.last_time.toISOString(),
    notifiedAt: r.notified_at?.toISOString() ?? null,
    notifications: r.notifications,
  };
}

/** `/api/v1/alerts`: alerts pending and firing now, and the history of their notifications. */
export const alertRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  app.get(
    '/alerts',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['alerts'],
        operationId: 'listAlerts',
        summary: 'Alerts active now (firing, and pending ones waiting out their duration), newest first',
        querystring: Type.Object(
          {
            state: Type.Optional(StringEnum(['pending', 'firing'])),
            host: Type.Optional(HostId),
            type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(Alert) }, { additionalProperties: false, title: 'AlertList' }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const conditions = [sql`true`];
      if (q.state !== undefined) conditions.push(sql`state = ${q.state}`);
      if (q.host !== undefined) conditions.push(sql`host_id = ${q.host}`);
      if (q.type !== undefined) conditions.push(sql`type = ${q.type}`);
      const { rows } = await sql<AlertRow>`
        SELECT series_key, rule_key, host_id, type, label, state, since, fired_at, last_value, last_time, notified_at, notifications
          FROM alerter_alerts WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY (state = 'firing') DESC, since DESC, series_key
         LIMIT 5000`.execute(ctx.db);
      return { items: rows.map(alertBody) };
    },
  );

  app.get(
    '/alerts/history',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['alerts'],
        operationId: 'listAlertHistory',
        summary:
          'Notifications the alerter sent or is sending (alerts firing and resolved, security mails), newest first',
        querystring: Type.Object(
          {
            kind: Type.Optional(StringEnum(['alert', 'security'])),
            status: Type.Optional(StringEnum(['pending', 'sent', 'failed'])),
            from: Type.Optional({
              ...DateTime,
              description: 'Created at or after (default: 30 days before `to`)',
            }),
            to: Type.Optional({ ...DateTime, description: 'Created before (default: now)' }),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(AlertNotification, 'AlertHistoryPage'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const { from, to } = resolveRange(q, ctx.now(), 30 * 86_400_000);
      const conditions = [sql`created_at >= ${from}`, sql`created_at < ${to}`];
      if (q.kind !== undefined) conditions.push(sql`kind = ${q.kind}`);
      if (q.status !== undefined) conditions.push(sql`status = ${q.status}`);
      if (q.cursor !== undefined) {
        const [id] = decodeCursor(q.cursor, 1);
        if (!/^\d{1,19}$/.test(String(id)))
          throw new ClientError(400, 'is not a cursor this API returned', 'querystring.cursor');
        conditions.push(sql`id < ${String(id)}::bigint`);
      }
      const { rows } = await sql<{
        id: string;
        kind: 'alert' | 'security';
        subject: string;
        recipients: string[];
        status: 'pending' | 'sent' | 'failed';
        attempts: number;
        last_error: string | null;
        created_at: Date;
        sent_at: Date | null;
      }>`
        SELECT id, kind, subject, recipients, status, attempts, last_error, created_at, sent_at
          FROM alerter_outbox WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY id DESC LIMIT ${limit + 1}`.execute(ctx.db);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          id: String(r.id),
          kind: r.kind,
          subject: r.subject,
          recipients: r.recipients,
          status: r.status,
          attempts: r.attempts,
          lastError: r.last_error,
          createdAt: r.created_at.toISOString(),
          sentAt: r.sent_at?.toISOString() ?? null,
        })),
        nextCursor: rows.length > limit && last ? encodeCursor([String(last.id)]) : null,
      };
    },
  );
};
