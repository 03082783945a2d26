// The servers bench/api/run.mjs measures, in their own process so that autocannon does not share
// their event loop: the API as `hostwatch api` builds it, and a bare Fastify route beside it.
// Env: DATABASE_URL, API_TOKEN, API_DB_CONNECTIONS (default 8, as `hostwatch api`). Prints one JSON
// line {"api":port,"bare":port} once listening.
import Fastify from 'fastify';
import { sql } from 'kysely';
import { ApiTokens, buildApp, createApiDb } from '@hostwatch/api';

const trace = process.env.BENCH_TRACE
  ? (await import('./server-trace.mjs')).startServerTrace(process.env.BENCH_TRACE)
  : undefined;
const db = createApiDb(process.env.DATABASE_URL, {
  maxConnections: Number(process.env.API_DB_CONNECTIONS ?? 8),
});
const api = await buildApp({
  db,
  tokens: new ApiTokens({ read: [process.env.API_TOKEN] }),
  checks: { postgres: async () => void (await sql`SELECT 1`.execute(db)) },
  // The benchmark is one client address making far more than an operator's requests.
  rateLimitPerMinute: 100_000_000,
});
trace?.hook(api);
await api.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ ok: true }));
// The same bytes as one fleet page, from a bare route: what sending them costs without the API's work.
const page = await api.inject({
  url: '/api/v1/hosts?limit=100',
  headers: { authorization: `Bearer ${process.env.API_TOKEN}` },
});
bare.get('/bare/fleet-page', async (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(page.body),
);
await bare.listen({ host: '127.0.0.1', port: 0 });

process.stdout.write(
  `${JSON.stringify({ api: api.server.address().port, bare: bare.server.address().port })}\n`,
);
process.on('SIGTERM', async () => {
  await Promise.all([api.close(), bare.close()]);
  await db.destroy();
  await trace?.write();
  process.exit(0);
});
