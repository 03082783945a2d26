import { CONSUMER_SPECS } from '@hostwatch/contract';

/** Everything the ingest service reads from its environment, validated and frozen. */
export interface IngestConfig {
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly collectorKeyFile: string;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one. */
  readonly healthPort: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Most messages written in one transaction. */
  readonly batchSize: number;
  /** Longest a batch waits for more messages after its first one arrived. */
  readonly batchWaitMs: number;
  /** AckWait, MaxDeliver and MaxAckPending of the durable consumer this service provisions. */
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxAckPending: number;
  /** Days of raw stats and events kept; older daily partitions are dropped. */
  readonly retentionDays: number;
  /** Days of the hourly and daily rollups kept. */
  readonly rollupRetentionDays: number;
  /** Days of the quarantine kept. */
  readonly quarantineRetentionDays: number;
  /** Days of partitions created ahead of time. */
  readonly partitionsAheadDays: number;
  readonly maintenanceIntervalMs: number;
  /** How many bytes of a refused message the quarantine keeps. */
  readonly quarantineMaxBytes: number;
  /** How long a host key's status is cached; a revocation takes effect within this time. */
  readonly keyCacheMs: number;
  readonly dbPoolSize: number;
  /** Shared secret that lets a new host enroll itself (undefined: every new host waits for approval). */
  readonly enrollmentToken: string | undefined;
  /** Test-only: the process SIGKILLs itself at this point of its first batch (see `crash-point.ts`). */
  readonly testCrashAt: 'before-commit' | 'after-commit' | undefined;
}

/** The configuration was incomplete or wrong; the message lists every problem at once. */
export class IngestConfigError extends Error {
  override readonly name = 'IngestConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/**
 * Reads the ingest configuration from `env`, checks all of it and fails with every problem
 * listed, e.g. `NATS_URL is required; INGEST_BATCH_SIZE must be an integer >= 1`.
 */
export function readIngestConfig(env: NodeJS.ProcessEnv): IngestConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      problems.push(`${name} is required`);
      return '';
    }
    return value.trim();
  };
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T | undefined): T | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(raw)}`);
    return fallback;
  };

  const spec = CONSUMER_SPECS.ingest;
  const config: IngestConfig = {
    natsUrl: required('NATS_URL'),
    databaseUrl: required('DATABASE_URL'),
    collectorKeyFile: required('COLLECTOR_KEY_FILE'),
    healthPort: int('HEALTH_PORT', 9102, 0, 65535),
    logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info') ?? 'info',
    batchSize: int('INGEST_BATCH_SIZE', 1000, 1, 10_000),
    batchWaitMs: int('INGEST_BATCH_WAIT_MS', 50, 1, 60_000),
    ackWaitMs: int('INGEST_ACK_WAIT_MS', spec.ackWaitMs, 1000, 3_600_000),
    maxDeliver: int('INGEST_MAX_DELIVER', spec.maxDeliver, 2, 1000),
    maxAckPending: int('INGEST_MAX_ACK_PENDING', spec.maxAckPending, 1, 1_000_000),
    retentionDays: int('RETENTION_DAYS', 30, 1, 3650),
    rollupRetentionDays: int('ROLLUP_RETENTION_DAYS', 400, 1, 36500),
    quarantineRetentionDays: int('QUARANTINE_RETENTION_DAYS', 30, 1, 3650),
    partitionsAheadDays: int('PARTITIONS_AHEAD_DAYS', 7, 1, 365),
    maintenanceIntervalMs: int('MAINTENANCE_INTERVAL_MS', 300_000, 1000, 86_400_000),
    quarantineMaxBytes: int('QUARANTINE_MAX_BYTES', 65_536, 0, 1_048_576),
    keyCacheMs: int('KEY_CACHE_MS', 2000, 0, 600_000),
    dbPoolSize: int('DB_POOL_SIZE', 8, 2, 200),
    enrollmentToken: env['ENROLLMENT_TOKEN'] ? env['ENROLLMENT_TOKEN'] : undefined,
    testCrashAt: oneOf('HOSTWATCH_TEST_CRASH_AT', ['before-commit', 'after-commit'] as const, undefined),
  };
  if (config.enrollmentToken !== undefined && config.enrollmentToken.length < 16) {
    problems.push('ENROLLMENT_TOKEN must be at least 16 characters long');
  }
  if (config.batchSize > config.maxAckPending) {
    problems.push(`INGEST_BATCH_SIZE (${config.batchSize}) must not exceed INGEST_MAX_ACK_PENDING (${config.maxAckPending})`);
  }
  if (problems.length > 0) throw new IngestConfigError(problems);
  return Object.freeze(config);
}
