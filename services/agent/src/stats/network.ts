import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One entry of the `network` part of a stats message: bytes through an interface since it came up. */
export interface NetworkStats {
  readonly name: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** Most interfaces a stats message carries. */
export const MAX_INTERFACES = 1024;

/** The ARPHRD type number sysfs reports for a loopback device. */
const ARPHRD_LOOPBACK = '772';

/** Parses `/proc/net/dev`: received and transmitted bytes of every interface, in the kernel's order. */
export function parseNetwork(text: string): NetworkStats[] {
  const interfaces: NetworkStats[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    // The two header lines have no ':'; the name is everything before the first one.
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const values = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const rx = values[0];
    const tx = values[8];
    if (!name || rx === undefined || tx === undefined || !/^\d+$/.test(rx) || !/^\d+$/.test(tx)) {
      throw new Error(`/proc/net/dev: cannot parse ${JSON.stringify(line.slice(0, 200))}`);
    }
    interfaces.push({ name, rxBytes: Number(rx), txBytes: Number(tx) });
  }
  return interfaces;
}

async function isLoopback(sysRoot: string, name: string): Promise<boolean> {
  try {
    return readFileSync(join(sysRoot, 'class', 'net', name, 'type'), 'utf8').trim() === ARPHRD_LOOPBACK;
  } catch {
    // Without sysfs the kernel's fixed name for the loopback device is all there is to go on.
    return name === 'lo';
  }
}

/** Reads `<procRoot>/net/dev` and leaves out loopback devices, as `<sysRoot>/class/net/<name>/type` tells. */
export async function readNetwork(procRoot: string, sysRoot: string): Promise<NetworkStats[]> {
  const all = parseNetwork(readFileSync(join(procRoot, 'net', 'dev'), 'utf8'));
  const loopback = await Promise.all(all.map((entry) => isLoopback(sysRoot, entry.name)));
  return all.filter((_, index) => !loopback[index]).slice(0, MAX_INTERFACES);
}
