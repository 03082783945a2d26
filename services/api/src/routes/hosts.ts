import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { acceptsGzip } from '../http/accepts-gzip.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { ClientError } from '../http/client-error.js';
import { errorResponses } from '../http/error-response.js';
import { GenerationCache } from '../live/generation-cache.js';
import { loadHostSummaries } from '../queries/host-summaries.js';
import { Cursor, DateTime, HostParams, Limit, Nullable, Page, StringEnum } from '../schemas/common.js';
import { HostState, HostSummary } from '../schemas/host.js';
import type { RouteContext } from './route-context.js';

const HostList = Type.Composite(
  [
    Page(HostSummary, 'HostList'),
    Type.Object({ generatedAt: { ...DateTime, description: 'When the fleet snapshot was read' } }),
  ],
  { additionalProperties: false, title: 'HostList' },
);

const HostKey = Type.Object(
  {
    keyId: Type.String(),
    status: StringEnum(['pending', 'approved', 'revoked']),
    createdAt: DateTime,
    revokedAt: Nullable(DateTime),
  },
  { additionalProperties: false, title: 'HostKey' },
);

const HostDetail = Type.Composite(
  [
    HostSummary,
    Type.Object({
      approvedAt: Nullable(DateTime),
      revokedAt: Nullable(DateTime),
      keys: Type.Array(HostKey),
      detail: Type.Unknown({
        description: 'Per-core CPU, disks, interfaces and agent health of the latest sample',
      }),
    }),
  ],
  { additionalProperties: false, title: 'HostDetail' },
);

/** Distinct fleet pages kept per snapshot. */
const PAGE_CACHE_SIZE = 256;

/** `/api/v1/hosts`: the fleet list and one host in detail. */
export const hostRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  // Kept as UTF-8 bytes: a string body is measured and encoded again on every request that sends it.
  const pages = new GenerationCache<Buffer>(PAGE_CACHE_SIZE);
  // Browsers ask for gzip: a page shrinks about eightfold, compressed once per snapshot too.
  const gzipped = new GenerationCache<Buffer>(PAGE_CACHE_SIZE);
  // One host's view, serialized once while the snapshot keeps the host's object: a refresh keeps the
  // objects of hosts that did not change, so only changed hosts are serialized again. UTF-8 once, too.
  const hostBodies = new WeakMap<object, Buffer>();
  app.get(
    '/hosts',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['hosts'],
        operationId: 'listHosts',
        summary: 'The fleet: every host with its state, latest stats and open alerts',
        description:
          'Served from a snapshot of the fleet that the server refreshes every few seconds (see `generatedAt`), ' +
          'so the list costs no query however often it is read.',
        querystring: Type.Object(
          {
            status: Type.Optional(HostState),
            q: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: 'Part of the host id, hostname or an address',
              }),
            ),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: HostList, ...errorResponses() },
      },
    },
    async (request, reply) => {
      const { status, q, limit = 100, cursor } = request.query;
      const key = JSON.stringify([status, q, limit, cursor]);
      const body = pages.get(ctx.snapshot.generation, key, () => {
        const after = cursor === undefined ? undefined : String(decodeCursor(cursor, 1)[0]);
        const needle = q?.toLowerCase();
        const items = [];
        let more = false;
        for (const host of ctx.snapshot.hosts) {
          if (after !== undefined && host.hostId <= after) continue;
          if (status !== undefined && host.status !== status) continue;
          if (
            needle !== undefined &&
            !host.hostId.toLowerCase().includes(needle) &&
            !(host.hostname ?? '').toLowerCase().includes(needle) &&
            !host.addresses.some((a) => a.includes(needle))
          ) {
            continue;
          }
          if (items.length === limit) {
            more = true;
            break;
          }
          items.push(host);
        }
        const last = items.at(-1);
        return Buffer.from(
          String(
            reply.serialize({
              items,
              nextCursor: more && last ? encodeCursor([last.hostId]) : null,
              generatedAt: ctx.snapshot.generatedAt.toISOString(),
            }),
          ),
        );
      });
      reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
      if (acceptsGzip(request.headers['accept-encoding'])) {
        const compressed = gzipped.get(ctx.snapshot.generation, key, () => gzipSync(body));
        return reply.header('content-encoding', 'gzip').send(compressed as never);
      }
      // Bytes are sent as they are, already serialized by the route's serializer.
      return reply.send(body as never);
    },
  );

  app.get(
    '/hosts/:hostId',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['hosts'],
        operationId: 'getHost',
        summary: 'One host in detail: state, latest stats with per-disk and per-interface detail, keys',
        description:
          'Served from the fleet snapshot, like the fleet list, so it is at most a few seconds old; ' +
          'a host enrolled since the snapshot was read is read from the database.',
        params: HostParams,
        response: { 200: HostDetail, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const { hostId } = request.params;
      const known = ctx.snapshot.host(hostId);
      if (known !== undefined) {
        let body = hostBodies.get(known);
        if (body === undefined) {
          body = Buffer.from(String(reply.serialize(known)));
          hostBodies.set(known, body);
        }
        return reply.type('application/json; charset=utf-8').send(body as never);
      }
      // Enrolled since the snapshot was read, or unknown.
      const [summary] = await loadHostSummaries(ctx.db, {
        now: ctx.now(),
        offlineAfterMs: ctx.offlineAfterMs,
        latestWithinMs: ctx.latestWithinMs,
        hostId,
      });
      if (!summary) throw new ClientError(404, `no host ${hostId}`);
      return summary;
    },
  );
};
