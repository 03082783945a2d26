import { loadConfig } from '@hostwatch/config';
import { Lifecycle } from '@hostwatch/lifecycle';
import { createLogger } from '@hostwatch/log';
import { connectWithBackoff, natsCredentialsFromEnv } from '@hostwatch/nats';
import { Agent } from './agent.js';
import { agentConfigSpec } from './config/agent-config.js';
import { openAuthLogSources } from './sources/open-auth-log-sources.js';
import { applyAgentV8Flags } from './v8-flags.js';
import { AGENT_VERSION } from './version.js';

/** Runs the agent until SIGTERM/SIGINT (or, with AUTH_LOG_EXIT_AT_END, until the logs are read); resolves to the exit code. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // First, before any of the agent's code runs often enough to be optimized.
  const v8Flags = applyAgentV8Flags();
  const config = loadConfig(agentConfigSpec, { env, file: env['AGENT_CONFIG_FILE'] || undefined });
  const log = createLogger({ service: 'agent', env });
  const lifecycle = new Lifecycle({ logger: log.child({ component: 'lifecycle' }) });
  let agent: Agent | undefined;
  lifecycle
    .add({
      name: 'agent',
      start: async () => {
        const sources = await openAuthLogSources(config, log.child({ component: 'sources' }));
        agent = await Agent.create({ config, log, version: AGENT_VERSION, sources });
        agent.start();
        log.info({ hostId: agent.hostId, sources: sources.length, v8Flags }, 'agent started');
        if (config.exitAtEnd) {
          void agent.finished().then(() => lifecycle.shutdown('read the logs to their end'));
        }
        return () => agent!.stop();
      },
    })
    .add({
      name: 'nats',
      start: async (signal) => {
        const nc = await connectWithBackoff({
          servers: config.natsUrl,
          name: `hostwatch-agent-${agent!.hostId}`,
          log: log.child({ component: 'nats' }),
          credentials: natsCredentialsFromEnv(env),
          signal,
        });
        agent!.connected(nc);
        return () => nc.drain();
      },
      stopTimeoutMs: 5_000,
    });
  if (config.healthPort !== undefined) {
    lifecycle.add({
      name: 'ops',
      start: async () => {
        // Loaded only when asked for: prom-client is a fifth of the agent's memory.
        const { Gauge, createMetricsRegistry, startOpsServer } = await import('@hostwatch/ops');
        const registry = createMetricsRegistry('agent');
        new Gauge({
          name: 'hostwatch_agent_spool_depth',
          help: 'Sealed messages waiting in the spool for the broker.',
          registers: [registry],
          collect() {
            this.set(agent?.delivery.backlog ?? 0);
          },
        });
        const ops = await startOpsServer({
          port: config.healthPort!,
          registry,
          checks: { broker: async () => void (agent?.delivery.health().lastAckAt ?? Promise.reject(new Error('nothing acknowledged yet'))) },
        });
        log.info({ url: ops.url }, 'ops endpoints listening');
        return () => ops.close();
      },
    });
  }
  return lifecycle.run();
}
