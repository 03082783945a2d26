import { Histogram, type Registry } from '@hostwatch/ops';

import fp from 'fastify-plugin';

/** Counts and times every request by method, route pattern and status in `hostwatch_http_request_duration_seconds`. */
export const httpMetrics = fp<{ registry: Registry }>(
  async (app, { registry }) => {
    const histogram = new Histogram({
      name: 'hostwatch_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status, and how long they took',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    app.addHook('onResponse', async (request, reply) => {
      histogram.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'hostwatch-http-metrics' },
);
