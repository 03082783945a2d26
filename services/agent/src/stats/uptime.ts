import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Parses `/proc/uptime`: the seconds since boot, its first field. */
export function parseUptime(text: string): number {
  const first = text.trim().split(/\s+/)[0];
  if (first === undefined || !/^\d+(\.\d+)?$/.test(first)) {
    throw new Error(`/proc/uptime: ${JSON.stringify(text.slice(0, 64))} does not start with seconds`);
  }
  return Number(first);
}

/** Reads and parses `<procRoot>/uptime`. */
export async function readUptime(procRoot: string): Promise<number> {
  return parseUptime(readFileSync(join(procRoot, 'uptime'), 'utf8'));
}
