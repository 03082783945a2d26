import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Database } from '@hostwatch/db';
import { createMetricsRegistry, type Registry } from '@hostwatch/ops';
import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
  type onRequestAsyncHookHandler,
} from 'fastify';
import type { Kysely } from 'kysely';
import type { ApiTokens } from './auth/api-tokens.js';
import { BEARER_SCHEME, bearerAuth } from './auth/bearer-auth.js';
import { errorBody, errorHandler } from './http/error-handler.js';
import { ErrorResponse } from './http/error-response.js';
import { httpMetrics } from './http/http-metrics.js';
import { securityHeaders } from './http/security-headers.js';
import { strictValidatorCompiler } from './http/strict-validator.js';
import { FleetSnapshot } from './live/fleet-snapshot.js';
import { LiveFeed } from './live/live-feed.js';
import { apiRoutes } from './routes/api-routes.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes, type ReadinessChecks } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';

/** What the API needs from the outside world; tests pass real ones pointed at their own servers. */
export interface ApiDependencies {
  /** Named checks `/readyz` runs (PostgreSQL and NATS reachable). */
  readonly checks: ReadinessChecks;
  /** The hostwatch database. */
  readonly db: Kysely<Database>;
  /** The bearer tokens and their scopes. */
  readonly tokens: ApiTokens;
  /** Fastify's logger: a pino instance, or false. */
  readonly logger?: FastifyServerOptions['loggerInstance'] | false;
  /** The clock (default: the system's). */
  readonly now?: () => Date;
  /** Requests one client address may make per minute (default 1200). */
  readonly rateLimitPerMinute?: number;
  /** How often the fleet snapshot and live feed poll the database (default 2 s). */
  readonly liveIntervalMs?: number;
  /** An approved host is offline when not heard from for this long (default 90 s). */
  readonly offlineAfterMs?: number;
  /** How far back a host's latest stats are looked for (default 2 days). */
  readonly latestWithinMs?: number;
  /** Most bytes of series buckets kept from the 5-minute rollup (default 128 MiB). */
  readonly seriesCacheBytes?: number;
  /** The Prometheus registry `/metrics` shows (default: a new one for service `api`). */
  readonly metrics?: Registry;
}

/** Version of the API and its OpenAPI document. */
export const API_VERSION = '1.0.0';

/**
 * Builds the API app without listening, so tests drive it with `inject` or on a free port. Every
 * route has a schema; the schemas produce the OpenAPI document at `/openapi.json` and `/docs`.
 */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorResponse);
  app.setValidatorCompiler(strictValidatorCompiler([ErrorResponse]));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  const registry = deps.metrics ?? createMetricsRegistry('api');
  await app.register(httpMetrics, { registry });
  await app.register(securityHeaders, {
    helmet: {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
        },
      },
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    },
  });
  // Registered before the authentication hook so that guessing tokens is rate limited too.
  await app.register(rateLimit, {
    max: deps.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => ({
      ...errorBody(
        429,
        `rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}`,
      ),
      // Fastify's error handler answers with this status.
      statusCode: 429,
    }),
  });
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (scope === undefined) return;
    const authenticate: onRequestAsyncHookHandler = bearerAuth(deps.tokens, scope);
    route.onRequest = [...(route.onRequest === undefined ? [] : [route.onRequest].flat()), authenticate];
    if (route.schema) route.schema = { ...route.schema, security: [{ [BEARER_SCHEME]: [] }] };
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hostwatch API',
        version: API_VERSION,
        description:
          'Machine load and SSH login activity of a Linux fleet. Every `/api/v1` operation needs a bearer ' +
          'token: read tokens may query, admin tokens may also approve and revoke hosts, manage silences ' +
          'and see the quarantine.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/' }],
      tags: [
        { name: 'hosts', description: 'The fleet and its hosts' },
        { name: 'stats', description: 'Machine load over time' },
        { name: 'ssh', description: 'SSH logins: sessions, attempts per day, top sources and users' },
        { name: 'security', description: 'Security events from the hosts' },
        { name: 'alerts', description: 'Alerts and silences' },
        { name: 'admin', description: 'Enrollment and the quarantine (admin scope)' },
        { name: 'live', description: 'Server-sent events' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
      components: {
        securitySchemes: { [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An API token' } },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const snapshot = new FleetSnapshot({
    db: deps.db,
    now,
    offlineAfterMs: deps.offlineAfterMs ?? 90_000,
    latestWithinMs: deps.latestWithinMs ?? 2 * 86_400_000,
    onError: (err) => app.log.warn({ err }, 'fleet snapshot refresh failed'),
  });
  const feed = new LiveFeed({
    db: deps.db,
    snapshot,
    now,
    intervalMs: deps.liveIntervalMs ?? 2_000,
    onError: (err) => app.log.warn({ err }, 'live feed poll failed'),
  });
  app.addHook('onReady', async () => {
    await snapshot.refreshQuietly();
    feed.start();
  });
  app.addHook('onClose', async () => feed.stop());

  await app.register(healthRoutes, { checks: deps.checks });
  await app.register(metricsRoutes, { registry });
  await app.register(apiRoutes, {
    prefix: '/api/v1',
    db: deps.db,
    snapshot,
    feed,
    now,
    offlineAfterMs: deps.offlineAfterMs ?? 90_000,
    latestWithinMs: deps.latestWithinMs ?? 2 * 86_400_000,
    seriesCacheBytes: deps.seriesCacheBytes ?? 128 * 2 ** 20,
  });
  await app.register(dashboardRoutes);
  return app;
}
