import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The checkout: deploy/, the Dockerfile and the lock file are read from here. */
export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Runs a program, resolving to what it printed; rejects with its output when it fails. */
export async function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(file, [...args], {
      cwd: options.cwd ?? repo,
      env: options.env ?? process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, {
      cause: err,
    });
  }
}
