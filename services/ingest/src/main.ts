import { readIngestConfig } from './config/ingest-config.js';
import { startIngestService } from './ingest-service.js';
import { createJsonLog } from './log/json-log.js';

/**
 * Runs ingest until SIGTERM or SIGINT: reads the configuration from `env`, starts the service,
 * and stops it in reverse order on the signal. Resolves to the exit code.
 */
export async function runIngest(env: NodeJS.ProcessEnv): Promise<number> {
  const config = readIngestConfig(env);
  const log = createJsonLog(config.logLevel, { service: 'ingest' });
  const service = await startIngestService(config, { log });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal }, 'stopping');
  await service.stop();
  log.info({}, 'stopped');
  return 0;
}
