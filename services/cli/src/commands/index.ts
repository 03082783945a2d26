import type { Command } from '../command.js';
import { authScanCommand } from './auth-scan.js';
import { keysGenerateCommand } from './keys-generate.js';
import { migrateCommand } from './migrate.js';
import { natsConfigCommand, natsNkeyCommand } from './nats-config.js';
import { startCommand } from './start.js';

/** Every subcommand, in the order `hostwatch --help` lists them. */
export const commands: readonly Command[] = [
  startCommand,
  migrateCommand,
  authScanCommand,
  keysGenerateCommand,
  natsConfigCommand,
  natsNkeyCommand,
];
