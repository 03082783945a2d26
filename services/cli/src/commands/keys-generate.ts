import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidHostIdError, assertHostId } from '@hostwatch/contract';
import {
  KeyFileExistsError,
  generateCollectorKeyPair,
  generateHostKeyPair,
  writeKeyFile,
  writePublicKeyFile,
  type KeyPair,
} from '@hostwatch/envelope';
import { UsageError, type Command, type CommandIo } from '../command.js';

const DEFAULT_DIR = join('.hostwatch', 'keys');

const usage = `Usage: hostwatch keys generate --host ID [--dir DIR] [--force]
       hostwatch keys generate --collector [--dir DIR] [--force]

Generates an X25519 key pair and writes its private key file (mode 0600) and its public key file
beside it, in the layout of a keys directory:
  DIR/hosts/ID.key       a host's private key: keep it on that host only
  DIR/hosts/ID.pub       its public key: register it with the collector
  DIR/collector.key      the collector's private key: for ingest, alerter and tail
  DIR/collector.pub      its public key: install it on every host

Options:
  --host ID      generate the key of host ID (letters, digits, '-' and '_')
  --collector    generate the collector's key
  --dir DIR      the keys directory (default: ${DEFAULT_DIR}, as 'hostwatch start' uses)
  --force        replace existing key files; without it an existing key is never overwritten
`;

interface KeysGenerateOptions {
  readonly hostId: string | undefined;
  readonly dir: string;
  readonly force: boolean;
}

function parseOptions(args: readonly string[], cwd: string): KeysGenerateOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: {
        host: { type: 'string' },
        collector: { type: 'boolean' },
        dir: { type: 'string' },
        force: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.host !== undefined && values.collector)
    throw new UsageError('give either --host ID or --collector, not both');
  if (values.host === undefined && !values.collector) throw new UsageError('give --host ID or --collector');
  let hostId: string | undefined;
  if (values.host !== undefined) {
    try {
      hostId = assertHostId(values.host);
    } catch (err) {
      if (err instanceof InvalidHostIdError) throw new UsageError(`--host: ${err.message}`);
      throw err;
    }
  }
  return { hostId, dir: resolve(cwd, values.dir ?? DEFAULT_DIR), force: values.force === true };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** `hostwatch keys generate`: a host's or the collector's key pair, as a private and a public key file. */
export const keysGenerateCommand: Command = {
  path: ['keys', 'generate'],
  summary: "generate a host's or the collector's key pair (private file 0600, public file beside it)",
  usage,
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const options = parseOptions(args, io.cwd);
    const base =
      options.hostId === undefined
        ? join(options.dir, 'collector')
        : join(options.dir, 'hosts', options.hostId);
    const privatePath = `${base}.key`;
    const publicPath = `${base}.pub`;
    // Checked before writing either file, so a refusal leaves no new private key without its public one.
    if (!options.force) {
      for (const path of [privatePath, publicPath])
        if (await exists(path)) throw new KeyFileExistsError(path);
    }

    const key: KeyPair =
      options.hostId === undefined ? generateCollectorKeyPair() : generateHostKeyPair(options.hostId);
    await writeKeyFile(privatePath, key, { force: options.force });
    await writePublicKeyFile(publicPath, key, { force: options.force });

    const who = key.kind === 'host' ? `host ${key.hostId}` : 'the collector';
    const keep = key.kind === 'host' ? `keep it on ${key.hostId} only` : 'for ingest, alerter and tail';
    const share = key.kind === 'host' ? 'register it with the collector' : 'install it on every host';
    io.stdout.write(
      `generated the key of ${who}, key id ${key.keyId}\n` +
        `  private key  ${privatePath}  (mode 0600; ${keep})\n` +
        `  public key   ${publicPath}  (${share})\n`,
    );
    return 0;
  },
};
