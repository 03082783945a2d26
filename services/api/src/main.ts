import { Lifecycle } from '@hostwatch/lifecycle';
import { createLogger } from '@hostwatch/log';
import { natsCredentialsFromEnv } from '@hostwatch/nats';
import { readApiConfig } from './config/api-config.js';
import { apiComponents } from './server.js';

/**
 * Runs the API until SIGTERM or SIGINT: reads the configuration from `env`, starts the database
 * pool, the NATS connection and the HTTP server, and stops them in reverse order. Resolves to the
 * exit code.
 */
export async function runApi(env: NodeJS.ProcessEnv): Promise<number> {
  const config = readApiConfig(env);
  const log = createLogger({ service: 'api', level: config.logLevel, env });
  const lifecycle = new Lifecycle({ logger: log.child({ component: 'lifecycle' }), stopTimeoutMs: 10_000 });
  const { components } = apiComponents(config, log, natsCredentialsFromEnv(env));
  for (const component of components) lifecycle.add(component);
  log.info(
    {
      host: config.host,
      port: config.port,
      readTokens: config.readTokens?.length ?? 0,
      adminTokens: config.adminTokens?.length ?? 0,
    },
    'starting',
  );
  return lifecycle.run();
}
