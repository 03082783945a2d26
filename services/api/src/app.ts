import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { healthRoutes, type ReadinessChecks } from './routes/health.js';

/** What the API needs from the outside world; tests pass real ones pointed at their own servers. */
export interface ApiDependencies {
  /** Named checks `/readyz` runs (PostgreSQL and NATS reachable). */
  readonly checks: ReadinessChecks;
  /** Fastify's logger: a pino instance, or false. */
  readonly logger?: FastifyServerOptions['loggerInstance'] | false;
}

/** Version of the API and its OpenAPI document. */
export const API_VERSION = '0.1.0';

/**
 * Builds the API app without listening, so tests drive it with `inject` or on a free port. Every
 * route has a schema; the schemas produce the OpenAPI document at `/openapi.json`.
 */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hostwatch API',
        version: API_VERSION,
        description: 'Machine load and SSH login activity of a Linux fleet.',
      },
    },
  });
  await app.register(healthRoutes, { checks: deps.checks });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
