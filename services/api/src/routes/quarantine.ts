import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ClientError } from '../http/client-error.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { errorResponses } from '../http/error-response.js';
import { Cursor, DateTime, HostId, Limit, Nullable, Page } from '../schemas/common.js';
import type { RouteContext } from './route-context.js';

const QuarantinedMessage = Type.Object(
  {
    id: Type.String({ description: 'Quarantine entry id' }),
    receivedAt: DateTime,
    reason: Type.String({ description: 'Why ingest refused it, e.g. unknown-key, tampered, malformed' }),
    detail: Type.String(),
    subject: Type.String(),
    hostId: Nullable(Type.String()),
    messageId: Nullable(Type.String()),
    streamSeq: Nullable(Type.String()),
    deliveries: Nullable(Type.Integer()),
    headers: Type.Record(Type.String(), Type.String()),
    dataBytes: Type.Integer({ description: 'Size of the refused message' }),
    dataBase64: Type.String({ description: 'The first bytes of the message, base64' }),
  },
  { additionalProperties: false, title: 'QuarantinedMessage' },
);

interface QuarantineRow {
  id: string;
  received_at: Date;
  reason: string;
  detail: string;
  subject: string;
  host_id: string | null;
  message_id: string | null;
  stream_seq: string | null;
  deliveries: number | null;
  headers: Record<string, string>;
  data: Buffer;
  data_bytes: number;
}

/** `/api/v1/admin/quarantine`: messages ingest refused, newest first (admin scope). */
export const quarantineRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  app.get(
    '/admin/quarantine',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'listQuarantine',
        summary:
          'Messages refused by ingest (forged, tampered, unknown or revoked key, malformed), newest first',
        querystring: Type.Object(
          {
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            host: Type.Optional(HostId),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(QuarantinedMessage, 'QuarantinePage'), ...errorResponses() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const conditions = [sql`true`];
      if (q.reason !== undefined) conditions.push(sql`reason = ${q.reason}`);
      if (q.host !== undefined) conditions.push(sql`host_id = ${q.host}`);
      if (q.cursor !== undefined) {
        const [id] = decodeCursor(q.cursor, 1);
        if (!/^\d{1,19}$/.test(String(id)))
          throw new ClientError(400, 'is not a cursor this API returned', 'querystring.cursor');
        conditions.push(sql`id < ${String(id)}::bigint`);
      }
      const { rows } = await sql<QuarantineRow>`
        SELECT id, received_at, reason, detail, subject, host_id, message_id, stream_seq, deliveries, headers,
               substring(data FROM 1 FOR 4096) AS data, data_bytes
          FROM quarantine
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY id DESC
         LIMIT ${limit + 1}`.execute(ctx.db);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          id: String(r.id),
          receivedAt: r.received_at.toISOString(),
          reason: r.reason,
          detail: r.detail,
          subject: r.subject,
          hostId: r.host_id,
          messageId: r.message_id,
          streamSeq: r.stream_seq === null ? null : String(r.stream_seq),
          deliveries: r.deliveries,
          headers: r.headers,
          dataBytes: r.data_bytes,
          dataBase64: r.data.toString('base64'),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor([String(last.id)]) : null,
      };
    },
  );
};
