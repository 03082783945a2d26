import type { Command } from '../command.js';

/**
 * A subcommand as `hostwatch` finds it: the words that select it, and how to load it. A command's
 * module (and everything it imports) is loaded only when that command runs, so `hostwatch agent`
 * does not carry the API's or the alerter's dependencies, and `auth-scan` starts quickly.
 */
export interface CommandEntry {
  readonly path: readonly string[];
  /**
   * Runs before the command's module is loaded, for settings of the whole process that must come before its code:
   * the agent's V8 flags, which only take full effect when set before any module has run hot.
   */
  prepare?(): Promise<void>;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `hostwatch --help` lists them. */
export const commands: readonly CommandEntry[] = [
  { path: ['start'], load: async () => (await import('./start.js')).startCommand },
  { path: ['migrate'], load: async () => (await import('./migrate.js')).migrateCommand },
  {
    path: ['agent'],
    prepare: async () => void (await import('@hostwatch/agent/v8-flags')).applyAgentV8Flags(),
    load: async () => (await import('./agent.js')).agentCommand,
  },
  { path: ['ingest'], load: async () => (await import('./ingest.js')).ingestCommand },
  { path: ['alerter'], load: async () => (await import('./alerter.js')).alerterCommand },
  { path: ['api'], load: async () => (await import('./api.js')).apiCommand },
  { path: ['hosts', 'list'], load: async () => (await import('./hosts.js')).hostsListCommand },
  { path: ['hosts', 'approve'], load: async () => (await import('./hosts.js')).hostsApproveCommand },
  { path: ['hosts', 'revoke'], load: async () => (await import('./hosts.js')).hostsRevokeCommand },
  { path: ['auth-scan'], load: async () => (await import('./auth-scan.js')).authScanCommand },
  { path: ['rules', 'check'], load: async () => (await import('./rules-check.js')).rulesCheckCommand },
  { path: ['keys', 'generate'], load: async () => (await import('./keys-generate.js')).keysGenerateCommand },
  { path: ['config-reference'], load: async () => (await import('./config-reference.js')).configReferenceCommand },
  { path: ['nats-config'], load: async () => (await import('./nats-config.js')).natsConfigCommand },
  { path: ['nats-config', 'nkey'], load: async () => (await import('./nats-config.js')).natsNkeyCommand },
  { path: ['tail'], load: async () => (await import('./tail.js')).tailCommand },
  { path: ['simulate'], load: async () => (await import('./simulate.js')).simulateCommand },
];
