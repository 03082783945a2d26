import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { NoAuthLogError } from './no-auth-log-error.js';

/** The auth log files looked for, in order: Debian and Ubuntu, then RHEL, Fedora, SUSE and the like. */
export const DEFAULT_AUTH_LOG_CANDIDATES: readonly string[] = ['/var/log/auth.log', '/var/log/secure'];

/** Where the agent reads SSH logins from: a log file, or the systemd journal. */
export type AuthLogChoice = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'journal' };

/** Where {@link detectAuthLog} looks. */
export interface DetectAuthLogOptions {
  /** Log files to try, in order; default {@link DEFAULT_AUTH_LOG_CANDIDATES}. */
  readonly candidates?: readonly string[];
  /** A directory the candidates are taken relative to (a fixture tree in tests); default `/`. */
  readonly root?: string;
  /** The `journalctl` program; default `journalctl` from PATH. */
  readonly journalctl?: string;
  /** Arguments for journalctl, e.g. `['--directory', dir]`. */
  readonly journalArgs?: readonly string[];
}

/**
 * Picks the first candidate that is a readable regular file, else the journal when `journalctl` runs and shows at
 * least one record, else throws {@link NoAuthLogError} naming every place tried and why it was no use.
 */
export async function detectAuthLog(options: DetectAuthLogOptions = {}): Promise<AuthLogChoice> {
  const tried: string[] = [];
  for (const candidate of options.candidates ?? DEFAULT_AUTH_LOG_CANDIDATES) {
    const path = options.root === undefined ? candidate : join(options.root, candidate);
    const problem = await unreadable(path);
    if (problem === undefined) return { kind: 'file', path };
    tried.push(`${path}: ${problem}`);
  }
  const journal = await journalProblem(options.journalctl ?? 'journalctl', options.journalArgs ?? []);
  if (journal === undefined) return { kind: 'journal' };
  tried.push(`the journal: ${journal}`);
  throw new NoAuthLogError(tried);
}

async function unreadable(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      if (!(await handle.stat()).isFile()) return 'not a regular file';
      return undefined;
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'not readable by this user';
    if (code === 'EISDIR') return 'not a regular file';
    return (err as Error).message;
  }
}

function journalProblem(journalctl: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      journalctl,
      [...args, '--output=json', '--no-pager', '--quiet', '--lines=1'],
      { timeout: 10_000, maxBuffer: 1024 * 1024 },
      (err, stdout, stderr) => {
        const said = String(stderr).trim().split('\n')[0] ?? '';
        if (err !== null) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return resolve(`${journalctl} is not installed`);
          return resolve(`${journalctl} failed${said === '' ? '' : `: ${said}`}`);
        }
        if (String(stdout).trim() === '') {
          return resolve(`${journalctl} shows no records (no journal, or none this user may read)${said === '' ? '' : `: ${said}`}`);
        }
        resolve(undefined);
      },
    );
  });
}
