import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const PUBLIC = new URL('../../public/', import.meta.url);

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** The dashboard's files, read once at start so that serving them touches no disk. */
const ASSETS = ['index.html', 'app.js', 'charts.js', 'app.css', 'favicon.svg'] as const;

/**
 * The dashboard: one HTML page and its script, charts and style, all served from here (no CDN).
 * The files are public; the data they show comes from `/api/v1` with the token the user enters.
 */
export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const files = new Map(
    ASSETS.map((name) => [
      name,
      {
        body: readFileSync(new URL(name, PUBLIC)),
        type: TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
      },
    ]),
  );
  const index = files.get('index.html');
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type(index?.type ?? 'text/html')
      .header('cache-control', 'no-cache')
      .send(index?.body),
  );
  app.get(
    '/assets/:file',
    {
      schema: {
        hide: true,
        params: {
          type: 'object',
          required: ['file'],
          additionalProperties: false,
          properties: { file: { type: 'string', enum: ASSETS.filter((a) => a !== 'index.html') } },
        },
      },
    },
    async (request, reply) => {
      const file = files.get((request.params as { file: (typeof ASSETS)[number] }).file);
      return reply
        .type(file?.type ?? 'application/octet-stream')
        .header('cache-control', 'no-cache')
        .send(file?.body);
    },
  );
};
