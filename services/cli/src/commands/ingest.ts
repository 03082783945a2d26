import { ConfigError } from '@hostwatch/config';
import { runIngest } from '@hostwatch/ingest';
import { UsageError, type Command } from '../command.js';

/** `hostwatch ingest`: runs the ingest service until SIGTERM. */
export const ingestCommand: Command = {
  path: ['ingest'],
  summary: 'run the ingest service: JetStream into PostgreSQL (NATS_URL, DATABASE_URL, COLLECTOR_KEY_FILE)',
  usage: `Usage: hostwatch ingest

Runs ingest until SIGTERM or SIGINT: pulls every message from the durable JetStream consumer
'ingest', opens and validates it, writes it to PostgreSQL in batches and acknowledges it after
commit; refused messages go to the quarantine table. Configured from the environment:

  NATS_URL, DATABASE_URL, COLLECTOR_KEY_FILE   required
  HEALTH_PORT (9102)                           /healthz, /readyz, /metrics
  LOG_LEVEL (info)                             debug, info, warn, error
  INGEST_BATCH_SIZE (1000), INGEST_BATCH_WAIT_MS (50)
  INGEST_ACK_WAIT_MS (30000), INGEST_MAX_DELIVER (10), INGEST_MAX_ACK_PENDING (20000)
  RETENTION_DAYS (30), ROLLUP_RETENTION_DAYS (400), QUARANTINE_RETENTION_DAYS (30)
  PARTITIONS_AHEAD_DAYS (7), MAINTENANCE_INTERVAL_MS (300000)
  QUARANTINE_MAX_BYTES (65536), KEY_CACHE_MS (2000), DB_POOL_SIZE (8)
  ENROLLMENT_TOKEN                             shared secret that lets new hosts enroll themselves

See docs/ingest.md.`,
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
    try {
      return await runIngest(io.env);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
  },
};
