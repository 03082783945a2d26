import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../http/error-response.js';
import type { LiveEvent } from '../live/live-feed.js';
import type { RouteContext } from './route-context.js';

const HEARTBEAT_MS = 15_000;

/** `/api/v1/events`: server-sent events of host, ssh session and alert changes. */
export const liveEventRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, ctx) => {
  const open = new Set<() => void>();
  // Open streams would keep the server from closing.
  app.addHook('preClose', async () => {
    for (const close of open) close();
  });
  app.get(
    '/events',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['live'],
        operationId: 'streamEvents',
        summary: 'Live changes as server-sent events',
        description:
          'A `text/event-stream` of events `host` (a HostSummary that changed), `session` (an SSH session that ' +
          'started or moved) and `alert`; the first event is `ready`. Comment lines keep the connection alive.',
        response: {
          200: {
            description: 'The event stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errorResponses(),
        },
      },
    },
    async (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      const send = (event: LiveEvent | { type: 'ready'; data: unknown }): void => {
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      };
      res.write('retry: 3000\n\n');
      send({ type: 'ready', data: { generatedAt: ctx.snapshot.generatedAt.toISOString() } });
      const unsubscribe = ctx.feed.subscribe(send);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const close = (): void => {
        open.delete(close);
        clearInterval(heartbeat);
        unsubscribe();
        res.end();
      };
      open.add(close);
      request.raw.once('close', close);
    },
  );
};
