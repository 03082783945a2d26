import { Lifecycle } from '@hostwatch/lifecycle';
import { createLogger } from '@hostwatch/log';
import { natsCredentialsFromEnv, streamLimitsFromEnv } from '@hostwatch/nats';
import { readIngestConfig } from './config/ingest-config.js';
import { startIngestService } from './ingest-service.js';

/**
 * Runs ingest until SIGTERM or SIGINT: reads the configuration from `env` (NATS credentials from
 * `NATS_NKEY_SEED_FILE` and `NATS_TLS_*`), starts the service
 * under a lifecycle that stops it on the signal, and resolves to the exit code.
 */
export async function runIngest(env: NodeJS.ProcessEnv): Promise<number> {
  const config = readIngestConfig(env);
  const log = createLogger({ service: 'ingest', level: config.logLevel, env });
  const lifecycle = new Lifecycle({ logger: log, stopTimeoutMs: 30_000 });
  lifecycle.add({
    name: 'ingest',
    start: async () => {
      const service = await startIngestService(config, {
        log,
        natsCredentials: natsCredentialsFromEnv(env),
        streamLimits: streamLimitsFromEnv(env),
      });
      return () => service.stop();
    },
  });
  return lifecycle.run();
}
