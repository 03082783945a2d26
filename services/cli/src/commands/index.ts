import type { Command } from '../command.js';
import { agentCommand } from './agent.js';
import { alerterCommand } from './alerter.js';
import { apiCommand } from './api.js';
import { configReferenceCommand } from './config-reference.js';
import { authScanCommand } from './auth-scan.js';
import { hostsApproveCommand, hostsListCommand, hostsRevokeCommand } from './hosts.js';
import { ingestCommand } from './ingest.js';
import { keysGenerateCommand } from './keys-generate.js';
import { migrateCommand } from './migrate.js';
import { rulesCheckCommand } from './rules-check.js';
import { simulateCommand } from './simulate.js';
import { natsConfigCommand, natsNkeyCommand } from './nats-config.js';
import { startCommand } from './start.js';
import { tailCommand } from './tail.js';

/** Every subcommand, in the order `hostwatch --help` lists them. */
export const commands: readonly Command[] = [
  startCommand,
  migrateCommand,
  agentCommand,
  ingestCommand,
  alerterCommand,
  apiCommand,
  hostsListCommand,
  hostsApproveCommand,
  hostsRevokeCommand,
  authScanCommand,
  rulesCheckCommand,
  keysGenerateCommand,
  configReferenceCommand,
  natsConfigCommand,
  natsNkeyCommand,
  tailCommand,
  simulateCommand,
];
