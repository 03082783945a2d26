import { runApi } from '@hostwatch/api';
import { UsageError, type Command } from '../command.js';

/** `hostwatch api`: the query API and dashboard, until SIGTERM or SIGINT. */
export const apiCommand: Command = {
  path: ['api'],
  summary: 'run the API and dashboard (DATABASE_URL, NATS_URL, API_PORT, API_READ_TOKENS/API_ADMIN_TOKENS)',
  usage: `Usage: hostwatch api

Serves the REST API under /api/v1 (OpenAPI document at /openapi.json, rendered at /docs), the
dashboard at /, and /healthz, /readyz, /metrics, until SIGTERM or SIGINT.

Environment:
  DATABASE_URL        PostgreSQL to read from (required)
  NATS_URL            NATS server whose reachability /readyz reports (required)
  API_HOST, API_PORT  where to listen (default 127.0.0.1:8080)
  API_READ_TOKENS     comma-separated bearer tokens that may read
  API_ADMIN_TOKENS    comma-separated bearer tokens that may also approve and revoke hosts,
                      manage silences and see the quarantine; at least one token in all,
                      each at least 16 printable characters (e.g. openssl rand -hex 32)
  API_DB_CONNECTIONS  most PostgreSQL connections held (default 8)
  API_RATE_LIMIT      requests per minute per client address (default 1200)
  API_LIVE_INTERVAL   how often the fleet view and live events poll PostgreSQL (default 2s)
  API_OFFLINE_AFTER   an approved host not heard from this long is offline (default 90s)
  LOG_LEVEL           default info
`,
  async run(args, io) {
    if (args.length > 0)
      throw new UsageError(
        `unexpected argument '${args[0]}'; the API is configured by environment variables`,
      );
    return runApi(io.env);
  },
};
