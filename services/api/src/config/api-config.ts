import { ConfigError, defineConfig, field, loadConfig, type ConfigOf } from '@hostwatch/config';
import { LOG_LEVELS } from '@hostwatch/log';

/** The API's settings, each from its environment variable. */
export const apiConfigSpec = defineConfig({
  databaseUrl: field.url({
    env: 'DATABASE_URL',
    protocols: ['postgres', 'postgresql'],
    required: true,
    secret: true,
    description: 'PostgreSQL to read from.',
  }),
  natsUrl: field.url({
    env: 'NATS_URL',
    protocols: ['nats', 'tls'],
    required: true,
    description: 'NATS server whose reachability /readyz reports.',
  }),
  host: field.string({ env: 'API_HOST', default: '127.0.0.1', description: 'Address to listen on.' }),
  port: field.integer({
    env: 'API_PORT',
    default: 8080,
    min: 0,
    max: 65535,
    description: 'Port to listen on.',
  }),
  readTokens: field.list({
    env: 'API_READ_TOKENS',
    optional: true,
    secret: true,
    description: 'Comma-separated bearer tokens that may read.',
  }),
  adminTokens: field.list({
    env: 'API_ADMIN_TOKENS',
    optional: true,
    secret: true,
    description:
      'Comma-separated bearer tokens that may also approve, revoke, silence and see the quarantine.',
  }),
  dbConnections: field.integer({
    env: 'API_DB_CONNECTIONS',
    default: 8,
    min: 1,
    max: 100,
    description: 'Most PostgreSQL connections the API holds (a few per core of the database server).',
  }),
  seriesCacheMb: field.integer({
    env: 'API_SERIES_CACHE_MB',
    default: 128,
    min: 0,
    max: 1_048_576,
    description:
      'Most MiB of series buckets kept in memory from the 5-minute rollup (a day of one host in 288 buckets is about 70 KB; 0 keeps none).',
  }),
  rateLimitPerMinute: field.integer({
    env: 'API_RATE_LIMIT',
    default: 1200,
    min: 1,
    description: 'Requests one client address may make per minute.',
  }),
  liveInterval: field.duration({
    env: 'API_LIVE_INTERVAL',
    default: '2s',
    min: '100ms',
    description: 'How often the fleet snapshot and live feed poll PostgreSQL.',
  }),
  offlineAfter: field.duration({
    env: 'API_OFFLINE_AFTER',
    default: '90s',
    min: '10s',
    description: 'An approved host not heard from for this long is offline.',
  }),
  logLevel: field.enum({
    env: 'LOG_LEVEL',
    values: LOG_LEVELS,
    default: 'info',
    description: 'Least severe level logged.',
  }),
});

/** The API's configuration, validated and frozen. */
export type ApiConfig = ConfigOf<typeof apiConfigSpec>;

const MIN_TOKEN_LENGTH = 16;

/** Reads and validates the configuration from `env`, listing every problem at once (tokens included). */
export function readApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  let config: ApiConfig | undefined;
  const problems: string[] = [];
  try {
    config = loadConfig(apiConfigSpec, { env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  const tokens = {
    API_READ_TOKENS: (env['API_READ_TOKENS'] ?? '').split(','),
    API_ADMIN_TOKENS: (env['API_ADMIN_TOKENS'] ?? '').split(','),
  };
  const all = Object.values(tokens)
    .flat()
    .map((t) => t.trim())
    .filter(Boolean);
  if (all.length === 0) problems.push('API_READ_TOKENS or API_ADMIN_TOKENS must hold at least one token');
  for (const [name, list] of Object.entries(tokens)) {
    const short = list.map((t) => t.trim()).filter((t) => t.length > 0 && t.length < MIN_TOKEN_LENGTH).length;
    if (short > 0) problems.push(`${name} has ${short} token(s) shorter than ${MIN_TOKEN_LENGTH} characters`);
    if (list.some((t) => /[^\x21-\x7e]/.test(t.trim())))
      problems.push(`${name} may hold only printable ASCII without spaces`);
  }
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return config;
}
