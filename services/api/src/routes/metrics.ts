import type { Registry } from '@hostwatch/ops';
import type { FastifyPluginAsync } from 'fastify';
import { publicErrorResponses } from '../http/error-response.js';

/** `/metrics`: the Prometheus text exposition of the API's registry. */
export const metricsRoutes: FastifyPluginAsync<{ registry: Registry }> = async (app, { registry }) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getMetrics',
        security: [],
        summary: 'Prometheus metrics: requests by route and status with latency, process and event loop',
        response: {
          200: {
            description: 'Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...publicErrorResponses(),
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
};
