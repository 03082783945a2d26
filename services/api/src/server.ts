import type { Database } from '@hostwatch/db';
import { connectWithBackoff, type NatsCredentials } from '@hostwatch/nats';
import type { Component } from '@hostwatch/lifecycle';
import type { Logger } from '@hostwatch/log';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { buildApp } from './app.js';
import { ApiTokens } from './auth/api-tokens.js';
import { createApiDb } from './db/create-api-db.js';
import type { ApiConfig } from './config/api-config.js';

/**
 * The API's components in start order: the database pool, the NATS connection (made in the
 * background, so the API serves while NATS is down and `/readyz` says so), and the HTTP server.
 */
export function apiComponents(
  config: ApiConfig,
  log: Logger,
  credentials: NatsCredentials = {},
): { components: Component[]; app: () => FastifyInstance | undefined } {
  let db: Kysely<Database> | undefined;
  let nc: NatsConnection | undefined;
  let app: FastifyInstance | undefined;
  const components: Component[] = [
    {
      name: 'database',
      start: async () => {
        const pool = createApiDb(config.databaseUrl, { maxConnections: config.dbConnections });
        db = pool;
        return () => pool.destroy();
      },
    },
    {
      name: 'nats',
      start: async () => {
        const abort = new AbortController();
        const connecting = connectWithBackoff({
          servers: config.natsUrl,
          name: 'hostwatch-api',
          log: log.child({ component: 'nats' }),
          credentials,
          signal: abort.signal,
        }).then(
          (connection) => {
            nc = connection;
          },
          () => undefined,
        );
        return async () => {
          abort.abort();
          await connecting;
          await nc?.close();
        };
      },
    },
    {
      name: 'http',
      start: async () => {
        const database = db;
        if (!database) throw new Error('the database component did not start');
        const server = await buildApp({
          db: database,
          tokens: new ApiTokens({ read: config.readTokens ?? [], admin: config.adminTokens ?? [] }),
          logger: log.child({ component: 'http' }),
          rateLimitPerMinute: config.rateLimitPerMinute,
          seriesCacheBytes: config.seriesCacheMb * 2 ** 20,
          liveIntervalMs: config.liveInterval,
          offlineAfterMs: config.offlineAfter,
          checks: {
            postgres: async () => void (await sql`SELECT 1`.execute(database)),
            nats: async () => {
              if (!nc || nc.isClosed()) throw new Error('not connected');
              await nc.flush();
            },
          },
        });
        await server.listen({ host: config.host, port: config.port });
        app = server;
        return () => server.close();
      },
    },
  ];
  return { components, app: () => app };
}
