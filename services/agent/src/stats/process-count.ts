import { readdirSync } from 'node:fs';

/** Counts the processes in a listing of `/proc`: one numeric directory per process (not per thread). */
export function parseProcessCount(directoryNames: readonly string[]): number {
  return directoryNames.filter((name) => /^\d+$/.test(name)).length;
}

/** Lists `<procRoot>` and counts its process directories. */
export async function readProcessCount(procRoot: string): Promise<number> {
  const entries = readdirSync(procRoot, { withFileTypes: true });
  return parseProcessCount(entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name));
}
