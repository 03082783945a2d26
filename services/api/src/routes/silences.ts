import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ClientError } from '../http/client-error.js';
import { errorResponses } from '../http/error-response.js';
import { DateTime, HostId, Nullable, StringEnum } from '../schemas/common.js';
import type { RouteContext } from './route-context.js';

/** The alert types a silence may mute (the alerter's rule types). */
export const ALERT_TYPES = [
  'memory',
  'cpu',
  'swap',
  'disk',
  'load',
  'offline',
  'ssh-failures',
  'login-after-failures',
  'brute-force',
] as const;

const Silence = Type.Object(
  {
    id: Type.String(),
    hostId: Nullable({ ...HostId, description: 'The muted host; null mutes every host' }),
    types: Type.Array(StringEnum(ALERT_TYPES), { description: 'Muted alert types; empty mutes every type' }),
    startsAt: DateTime,
    endsAt: DateTime,
    comment: Type.String(),
    createdBy: Type.String({ description: 'Scope of the token that created it' }),
    createdAt: DateTime,
    state: StringEnum(['pending', 'active', 'expired']),
  },
  { additionalProperties: false, title: 'Silence' },
);

const NewSilence = Type.Object(
  {
    hostId: Type.Optional({ ...HostId, description: 'Mute one host (default: every host)' }),
    types: Type.Optional(
      Type.Array(StringEnum(ALERT_TYPES), { uniqueItems: true, maxItems: ALERT_TYPES.length }),
    ),
    startsAt: Type.Optional({ ...DateTime, description: 'Default: now' }),
    endsAt: DateTime,
    comment: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'Why, for the people who see the silence',
    }),
  },
  { additionalProperties: false, title: 'NewSilence' },
);

interface SilenceRow {
  id: string;
  host_id: string | null;
  types: string[];
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_by: string;
  created_at: Date;
}

const SilenceParams = Type.Object(
  { id: Type.String({ pattern: '^[0-9]{1,18}$' }) },
  { additionalProperties: false },
);

/** `/api/v1/silences`: maintenance windows that mute alert mails (list: read; create, expire: admin). */
export const silenceRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  const body = (r: SilenceRow, now: Date) => ({
    id: String(r.id),
    hostId: r.host_id,
    types: r.types as (typeof ALERT_TYPES)[number][],
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    comment: r.comment,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    state:
      r.ends_at <= now
        ? ('expired' as const)
        : r.starts_at > now
          ? ('pending' as const)
          : ('active' as const),
  });
  const errors = errorResponses();

  app.get(
    '/silences',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['alerts'],
        operationId: 'listSilences',
        summary: 'Silences, latest ending first; expired ones only when asked for',
        querystring: Type.Object(
          { state: Type.Optional(StringEnum(['pending', 'active', 'expired'])), host: Type.Optional(HostId) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            { items: Type.Array(Silence) },
            { additionalProperties: false, title: 'SilenceList' },
          ),
          ...errors,
        },
      },
    },
    async (request) => {
      const now = ctx.now();
      const { state, host } = request.query;
      const when =
        state === 'expired'
          ? sql`ends_at <= ${now}`
          : state === 'pending'
            ? sql`starts_at > ${now}`
            : state === 'active'
              ? sql`starts_at <= ${now} AND ends_at > ${now}`
              : sql`ends_at > ${now}`;
      const { rows } = await sql<SilenceRow>`
        SELECT id, host_id, types, starts_at, ends_at, comment, created_by, created_at FROM alert_silences
         WHERE ${when} ${host === undefined ? sql`` : sql`AND (host_id = ${host} OR host_id IS NULL)`}
         ORDER BY ends_at DESC, id DESC LIMIT 1000`.execute(ctx.db);
      return { items: rows.map((r) => body(r, now)) };
    },
  );

  app.post(
    '/silences',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['alerts'],
        operationId: 'createSilence',
        summary: 'Create a silence: no alert mails for the host (or every host) and types until it ends',
        body: NewSilence,
        response: { 201: Silence, ...errors },
      },
    },
    async (request, reply) => {
      const now = ctx.now();
      const { hostId, types = [], comment } = request.body;
      const startsAt = request.body.startsAt === undefined ? now : new Date(request.body.startsAt);
      const endsAt = new Date(request.body.endsAt);
      if (endsAt <= now) throw new ClientError(400, 'is in the past', 'body.endsAt');
      if (endsAt <= startsAt)
        throw new ClientError(400, 'must be after body.startsAt (or now)', 'body.endsAt');
      const { rows } = await sql<SilenceRow>`
        INSERT INTO alert_silences (host_id, types, starts_at, ends_at, comment, created_by)
        VALUES (${hostId ?? null}, ${types}::text[], ${startsAt}, ${endsAt}, ${comment}, ${request.tokenScope ?? 'admin'})
        RETURNING id, host_id, types, starts_at, ends_at, comment, created_by, created_at`.execute(ctx.db);
      request.log.info({ silence: rows[0]?.id, hostId, types }, 'silence created');
      return reply.code(201).send(body(rows[0] as SilenceRow, now));
    },
  );

  app.post(
    '/silences/:id/expire',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['alerts'],
        operationId: 'expireSilence',
        summary: 'End a silence now; expiring an expired silence changes nothing',
        params: SilenceParams,
        response: { 200: Silence, ...errorResponses(404) },
      },
    },
    async (request) => {
      const now = ctx.now();
      const { rows } = await sql<SilenceRow>`
        UPDATE alert_silences SET ends_at = least(ends_at, ${now}), starts_at = least(starts_at, ${now})
         WHERE id = ${request.params.id}::bigint
        RETURNING id, host_id, types, starts_at, ends_at, comment, created_by, created_at`.execute(ctx.db);
      if (!rows[0]) throw new ClientError(404, `no silence ${request.params.id}`);
      return body(rows[0], now);
    },
  );
};
