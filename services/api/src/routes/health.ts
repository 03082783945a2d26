import { checkReadiness, type ReadinessCheck } from '@hostwatch/ops';
import type { FastifyPluginAsync } from 'fastify';
import { publicErrorResponses } from '../http/error-response.js';

/** Named readiness checks: each resolves when its dependency is usable, or rejects with why not. */
export type ReadinessChecks = Readonly<Record<string, ReadinessCheck>>;

const Status = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string' } },
} as const;

const Readiness = {
  type: 'object',
  required: ['status', 'checks'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['ready', 'not ready'] },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** `/healthz` (the process answers) and `/readyz` (PostgreSQL and NATS reachable). */
export const healthRoutes: FastifyPluginAsync<{ checks: ReadinessChecks }> = async (app, { checks }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getHealth',
        security: [],
        summary: 'The process is alive',
        response: { 200: Status, ...publicErrorResponses() },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getReadiness',
        security: [],
        summary: 'PostgreSQL and NATS are reachable',
        response: { 200: Readiness, 503: Readiness, ...publicErrorResponses() },
      },
    },
    async (_req, reply) => {
      const { ready, checks: states } = await checkReadiness(checks);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: states });
    },
  );
};
