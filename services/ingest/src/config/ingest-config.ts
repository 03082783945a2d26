import { CONSUMER_SPECS } from '@hostwatch/contract';
import { ConfigError, defineConfig, field, loadConfig, type ConfigOf } from '@hostwatch/config';

const spec = CONSUMER_SPECS.ingest;

/** Every setting of the ingest service: one declaration validates, types and documents them. */
export const INGEST_CONFIG = defineConfig({
  natsUrl: field.string({
    env: 'NATS_URL',
    required: true,
    description: 'NATS server URL(s), comma-separated.',
  }),
  databaseUrl: field.url({
    env: 'DATABASE_URL',
    required: true,
    secret: true,
    protocols: ['postgres', 'postgresql'],
    description: 'PostgreSQL connection URL.',
  }),
  collectorKeyFile: field.path({
    env: 'COLLECTOR_KEY_FILE',
    required: true,
    description: "The collector's private key file.",
  }),
  healthPort: field.integer({
    env: 'HEALTH_PORT',
    default: 9102,
    min: 0,
    max: 65535,
    description: 'Port of /healthz, /readyz and /metrics; 0 picks a free one.',
  }),
  logLevel: field.enum({
    env: 'LOG_LEVEL',
    default: 'info',
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
    description: 'Least severe level logged.',
  }),
  batchSize: field.integer({
    env: 'INGEST_BATCH_SIZE',
    default: 1000,
    min: 1,
    max: 10_000,
    description: 'Most messages written in one transaction.',
  }),
  batchWaitMs: field.integer({
    env: 'INGEST_BATCH_WAIT_MS',
    default: 50,
    min: 1,
    max: 60_000,
    description: 'Longest a batch waits for more messages after its first one, in ms.',
  }),
  writers: field.integer({
    env: 'INGEST_WRITERS',
    default: 2,
    min: 1,
    max: 16,
    description:
      'Batches written at the same time, each in its own transaction on its own connection (at most DB_POOL_SIZE - 1).',
  }),
  ackWaitMs: field.integer({
    env: 'INGEST_ACK_WAIT_MS',
    default: spec.ackWaitMs,
    min: 1000,
    max: 3_600_000,
    description: 'AckWait of the ingest consumer, in ms.',
  }),
  maxDeliver: field.integer({
    env: 'INGEST_MAX_DELIVER',
    default: spec.maxDeliver,
    min: 2,
    max: 1000,
    description: 'MaxDeliver of the ingest consumer.',
  }),
  maxAckPending: field.integer({
    env: 'INGEST_MAX_ACK_PENDING',
    default: spec.maxAckPending,
    min: 1,
    max: 1_000_000,
    description: 'MaxAckPending of the ingest consumer.',
  }),
  retentionDays: field.integer({
    env: 'RETENTION_DAYS',
    default: 30,
    min: 1,
    max: 3650,
    description: 'Days of raw stats and events kept; older daily partitions are dropped.',
  }),
  rollupRetentionDays: field.integer({
    env: 'ROLLUP_RETENTION_DAYS',
    default: 400,
    min: 1,
    max: 36_500,
    description: 'Days of the hourly and daily rollups kept.',
  }),
  quarantineRetentionDays: field.integer({
    env: 'QUARANTINE_RETENTION_DAYS',
    default: 30,
    min: 1,
    max: 3650,
    description: 'Days of quarantine rows kept.',
  }),
  partitionsAheadDays: field.integer({
    env: 'PARTITIONS_AHEAD_DAYS',
    default: 7,
    min: 1,
    max: 365,
    description: 'Days of partitions created ahead; also the furthest future date accepted.',
  }),
  maintenanceIntervalMs: field.integer({
    env: 'MAINTENANCE_INTERVAL_MS',
    default: 300_000,
    min: 1000,
    max: 86_400_000,
    description: 'How often partitions, retention and rollups are maintained, in ms.',
  }),
  quarantineMaxBytes: field.integer({
    env: 'QUARANTINE_MAX_BYTES',
    default: 65_536,
    min: 0,
    max: 1_048_576,
    description: 'Raw bytes kept of each quarantined message.',
  }),
  keyCacheMs: field.integer({
    env: 'KEY_CACHE_MS',
    default: 2000,
    min: 0,
    max: 600_000,
    description: 'How long host key statuses are cached; a revocation takes effect within it.',
  }),
  dbPoolSize: field.integer({
    env: 'DB_POOL_SIZE',
    default: 8,
    min: 2,
    max: 200,
    description: 'PostgreSQL connections.',
  }),
  enrollmentToken: field.string({
    env: 'ENROLLMENT_TOKEN',
    optional: true,
    secret: true,
    description:
      'Shared secret that lets new hosts enroll themselves; unset, every new host waits for approval.',
  }),
  testCrashAt: field.enum({
    env: 'HOSTWATCH_TEST_CRASH_AT',
    optional: true,
    values: ['before-commit', 'after-commit'],
    description: 'Tests only: the process SIGKILLs itself at this point of its first batch.',
  }),
});

/** The ingest configuration, validated and frozen. */
export type IngestConfig = ConfigOf<typeof INGEST_CONFIG>;

/**
 * Reads the ingest configuration from `env`, checks all of it (each field, then how they fit
 * together) and throws a `ConfigError` listing every problem, e.g.
 * `NATS_URL is required; INGEST_BATCH_SIZE must be …`.
 */
export function readIngestConfig(env: NodeJS.ProcessEnv): IngestConfig {
  const config = loadConfig(INGEST_CONFIG, { env });
  const problems: string[] = [];
  if (config.enrollmentToken !== undefined && config.enrollmentToken.length < 16) {
    problems.push('ENROLLMENT_TOKEN must be at least 16 characters long');
  }
  if (config.writers >= config.dbPoolSize) {
    problems.push(
      `INGEST_WRITERS (${config.writers}) must be less than DB_POOL_SIZE (${config.dbPoolSize}): each writer holds a connection, and the key lookups and maintenance need one too`,
    );
  }
  if (config.batchSize > config.maxAckPending) {
    problems.push(
      `INGEST_BATCH_SIZE (${config.batchSize}) must not exceed INGEST_MAX_ACK_PENDING (${config.maxAckPending})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
