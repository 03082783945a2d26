import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Parses `/proc/sys/kernel/random/boot_id`: a UUID the kernel draws afresh at every boot. */
export function parseBootId(text: string): string {
  const id = text.trim().toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new Error(`boot_id: ${JSON.stringify(text.slice(0, 64))} is not a UUID`);
  }
  return id;
}

/** Reads and parses `<procRoot>/sys/kernel/random/boot_id`. */
export async function readBootId(procRoot: string): Promise<string> {
  return parseBootId(readFileSync(join(procRoot, 'sys', 'kernel', 'random', 'boot_id'), 'utf8'));
}

/**
 * A boot id for hosts without a kernel boot id, from the boot time in whole seconds: stable for
 * the life of the boot (clock jitter may move it by a second across agent restarts, which only
 * starts a new sequence) and never shared by two boots, which cannot start in the same second.
 */
export function bootIdFromBootTime(bootTimeMs: number): string {
  return `boot-${Math.round(bootTimeMs / 1000)}`;
}
