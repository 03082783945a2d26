import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { repoRoot } from '@hostwatch/local-servers';
import type { Command } from '../command.js';
import { startLocalStack } from '../local/local-stack.js';

const cliBin = join(dirname(dirname(dirname(fileURLToPath(import.meta.url)))), 'bin', 'hostwatch.js');

/** `hostwatch start`: the whole system on this machine, until Ctrl-C. */
export const startCommand: Command = {
  path: ['start'],
  summary: 'run the whole system on this machine (what npm start runs)',
  usage: `Usage: hostwatch start [--state DIR] [--nats-sync always|DURATION]

Starts PostgreSQL (a private cluster in the state directory, unless DATABASE_URL is set),
nats-server with JetStream, a local mail catcher, ingest, alerter, api and an agent watching this
machine; prints where the dashboard, the OpenAPI document and the caught mail are. Ctrl-C stops
everything, the last started first. A second run reuses the state, ports and keys.

Options:
  --state DIR        state directory (default: HOSTWATCH_HOME, else .hostwatch in the checkout)
  --nats-sync WHEN   when nats-server fsyncs: always (default: before acknowledging each message,
                     so an acknowledged message survives a power loss) or an interval such as 1s
                     (several times the throughput; a power loss may take the last interval)`,
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { state: { type: 'string' }, 'nats-sync': { type: 'string', default: 'always' } },
      strict: true,
    });
    const natsSync = values['nats-sync'];
    if (!/^(always|\d+(ms|s|m))$/.test(natsSync)) {
      io.stderr.write(
        `hostwatch start: --nats-sync ${JSON.stringify(natsSync)} is not 'always' or a duration such as 500ms, 1s or 2m\n`,
      );
      return 2;
    }
    const root = repoRoot(io.cwd);
    const stateDir = resolve(io.cwd, values.state ?? io.env['HOSTWATCH_HOME'] ?? join(root, '.hostwatch'));
    const stack = await startLocalStack({ root, stateDir, cliBin, env: io.env, out: io.stderr, natsSync });
    io.stdout.write(`\nhostwatch is running. Ctrl-C stops it.\n\n${stack.summary}\n\n`);
    const signal = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGINT', () => done('SIGINT'));
      process.once('SIGTERM', () => done('SIGTERM'));
    });
    io.stderr.write(`hostwatch: ${signal} received, stopping\n`);
    await stack.stop();
    io.stderr.write('hostwatch: stopped\n');
    return 0;
  },
};
