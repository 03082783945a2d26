import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ClientError } from '../http/client-error.js';
import { errorResponses } from '../http/error-response.js';
import { loadHostSummaries } from '../queries/host-summaries.js';
import { HostParams } from '../schemas/common.js';
import { HostSummary } from '../schemas/host.js';
import type { RouteContext } from './route-context.js';

/** `/api/v1/admin/hosts/{hostId}/approve` and `/revoke`: enrollment decisions (admin scope). */
export const hostEnrollmentRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  // The snapshot is read again so that the fleet list and the host's view show the decision at once.
  const summary = async (hostId: string) => {
    await ctx.snapshot.refreshQuietly();
    const known = ctx.snapshot.host(hostId);
    if (known !== undefined) return known;
    const [host] = await loadHostSummaries(ctx.db, {
      now: ctx.now(),
      offlineAfterMs: ctx.offlineAfterMs,
      latestWithinMs: ctx.latestWithinMs,
      hostId,
    });
    if (!host) throw new ClientError(404, `no host ${hostId}`);
    return host;
  };

  app.post(
    '/admin/hosts/:hostId/approve',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'approveHost',
        summary: 'Approve a pending host and its pending keys, so ingest accepts its messages',
        description:
          'Approving an approved host changes nothing. A revoked host stays revoked (409): enroll it again under a new key.',
        params: HostParams,
        response: { 200: HostSummary, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { hostId } = request.params;
      const now = ctx.now();
      await ctx.db.transaction().execute(async (tx) => {
        const host = await tx
          .selectFrom('hosts')
          .select('status')
          .where('host_id', '=', hostId)
          .forUpdate()
          .executeTakeFirst();
        if (!host) throw new ClientError(404, `no host ${hostId}`);
        if (host.status === 'revoked')
          throw new ClientError(409, `host ${hostId} is revoked; a revoked host is not approved again`);
        if (host.status === 'pending') {
          await tx
            .updateTable('hosts')
            .set({ status: 'approved', approved_at: now })
            .where('host_id', '=', hostId)
            .execute();
        }
        await tx
          .updateTable('host_keys')
          .set({ status: 'approved' })
          .where('host_id', '=', hostId)
          .where('status', '=', 'pending')
          .execute();
      });
      request.log.info({ hostId }, 'host approved');
      return summary(hostId);
    },
  );

  app.post(
    '/admin/hosts/:hostId/revoke',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'revokeHost',
        summary: 'Revoke a host and every key of it: ingest refuses its messages from now on',
        params: HostParams,
        response: { 200: HostSummary, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { hostId } = request.params;
      const now = ctx.now();
      await ctx.db.transaction().execute(async (tx) => {
        const host = await tx
          .selectFrom('hosts')
          .select('status')
          .where('host_id', '=', hostId)
          .forUpdate()
          .executeTakeFirst();
        if (!host) throw new ClientError(404, `no host ${hostId}`);
        if (host.status !== 'revoked') {
          await tx
            .updateTable('hosts')
            .set({ status: 'revoked', revoked_at: now })
            .where('host_id', '=', hostId)
            .execute();
        }
        await tx
          .updateTable('host_keys')
          .set({ status: 'revoked', revoked_at: now })
          .where('host_id', '=', hostId)
          .where('status', '!=', 'revoked')
          .execute();
      });
      request.log.info({ hostId }, 'host revoked');
      return summary(hostId);
    },
  );
};
