import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The 1, 5 and 15 minute load averages. */
export type LoadAverage = readonly [number, number, number];

function loadValue(text: string | undefined, source: string): number {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) {
    throw new Error(
      `/proc/loadavg: ${JSON.stringify(text)} is not a load average in ${JSON.stringify(source)}`,
    );
  }
  return Number(text);
}

/** Parses the first three fields of `/proc/loadavg`. */
export function parseLoadAverage(text: string): LoadAverage {
  const fields = text.trim().split(/\s+/);
  return [loadValue(fields[0], text), loadValue(fields[1], text), loadValue(fields[2], text)];
}

/** Reads and parses `<procRoot>/loadavg`. */
export async function readLoadAverage(procRoot: string): Promise<LoadAverage> {
  return parseLoadAverage(readFileSync(join(procRoot, 'loadavg'), 'utf8'));
}
