import { ConfigError } from '@hostwatch/config';
import { main as runAgent } from '@hostwatch/agent';
import { UsageError, type Command } from '../command.js';

/** `hostwatch agent`: the agent of this host until SIGTERM. */
export const agentCommand: Command = {
  path: ['agent'],
  summary: "run the agent: this host's statistics and auth log, sealed, to NATS (NATS_URL, HOST_KEY_FILE, …)",
  usage: `Usage: hostwatch agent

Samples this host's statistics every STATS_INTERVAL and tails its auth log (or the journal),
seals every message with the host key for the collector and publishes it to NATS JetStream,
keeping what the broker has not acknowledged in an on-disk spool. Runs until SIGTERM or SIGINT;
with AUTH_LOG_EXIT_AT_END=true it reads the logs to their end, delivers, and exits.

Configured from the environment (and AGENT_CONFIG_FILE, a JSON file under it); the full list with
defaults is in docs/configuration.md. Required: NATS_URL, HOST_KEY_FILE, COLLECTOR_PUBLIC_KEY_FILE.
Reading /var/log/auth.log needs group adm (Debian, Ubuntu) or root (/var/log/secure).`,
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
    try {
      return await runAgent(io.env);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
  },
};
