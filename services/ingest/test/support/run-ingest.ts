import { silentLog } from '../../src/log/ingest-log.js';
import { createLogger } from '@hostwatch/log';
import { readIngestConfig } from '../../src/config/ingest-config.js';
import { startIngestService, type IngestService } from '../../src/ingest-service.js';
import type { IngestWorld } from './ingest-world.js';

/** Starts ingest in this process against `world`, with `env` over test defaults (HEALTH_PORT 0). */
export async function runIngestIn(
  world: IngestWorld,
  env: Record<string, string> = {},
  name?: string,
): Promise<IngestService> {
  const config = readIngestConfig({
    NATS_URL: world.nats.url,
    DATABASE_URL: world.databaseUrl,
    COLLECTOR_KEY_FILE: '/nonexistent/the-test-passes-the-keys',
    HEALTH_PORT: '0',
    INGEST_BATCH_WAIT_MS: '20',
    ...env,
  });
  // HOSTWATCH_TEST_LOG=1 shows the service's log when a test needs explaining.
  const log = process.env['HOSTWATCH_TEST_LOG']
    ? createLogger({ service: 'ingest', level: 'debug' }).child({ replica: name })
    : silentLog;
  return startIngestService(config, { log, collectorKeys: world.collector, name });
}
