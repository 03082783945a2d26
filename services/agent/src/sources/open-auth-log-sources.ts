import { access, constants } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AgentConfig } from '../config/agent-config.js';
import { detectAuthLog } from './detect-auth-log.js';
import { FileTailer } from './file-tailer.js';
import { JournalSource } from './journal-source.js';
import { NoAuthLogError } from './no-auth-log-error.js';
import { PositionStore } from './position-store.js';
import type { SourceLogger } from './source-logger.js';

async function problemReading(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return err instanceof Error && 'code' in err ? String(err.code) : String(err);
  }
}

/** A source of auth log lines: a tailed file, or the journal. */
export type AuthLogSource = FileTailer | JournalSource;

/**
 * The auth log sources the configuration asks for: the configured files, the journal, the file
 * or journal found on this host (`auto`), or none. Throws {@link NoAuthLogError} naming every
 * place tried and what to do when nothing can be read.
 */
export async function openAuthLogSources(config: AgentConfig, log: SourceLogger): Promise<AuthLogSource[]> {
  if (config.authLogSource === 'none') return [];
  const positions = new PositionStore(join(config.stateDir, 'positions'));
  const journal = (): JournalSource =>
    new JournalSource({ positions, journalctl: config.journalctl, fromStart: config.fromStart, exitAtEnd: config.exitAtEnd, log });
  const tail = (path: string): FileTailer =>
    new FileTailer({ path, positions, positionKey: basename(path), fromStart: config.fromStart, exitAtEnd: config.exitAtEnd, log });

  if (config.authLogSource === 'journal') return [journal()];
  const configured = config.authLogPaths && config.authLogPaths.length > 0 ? config.authLogPaths : undefined;
  if (configured || config.authLogSource === 'file') {
    const paths = configured ?? ['/var/log/auth.log', '/var/log/secure'];
    const tried: string[] = [];
    const readable: string[] = [];
    for (const path of paths) {
      const problem = await problemReading(path);
      if (problem) tried.push(`${path}: ${problem}`);
      else readable.push(path);
    }
    if (readable.length === 0) throw new NoAuthLogError(tried);
    return readable.map(tail);
  }
  const choice = await detectAuthLog({ journalctl: config.journalctl });
  return [choice.kind === 'file' ? tail(choice.path) : journal()];
}
