import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentOf } from './percent.js';

/** The `memory` and `swap` parts of a stats message. */
export interface MemoryStats {
  readonly memory: {
    readonly totalBytes: number;
    readonly availableBytes: number;
    readonly usedPercent: number;
  };
  readonly swap: { readonly totalBytes: number; readonly freeBytes: number; readonly usedPercent: number };
}

/** Parses `/proc/meminfo` into bytes; `MemAvailable` (Linux 3.14+) is estimated from free + cache before it. */
export function parseMemory(text: string): MemoryStats {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) kib.set(match[1], Number(match[2]));
  }
  const bytes = (key: string): number | undefined => {
    const value = kib.get(key);
    return value === undefined ? undefined : value * 1024;
  };
  const total = bytes('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo: no MemTotal');
  const available =
    bytes('MemAvailable') ?? (bytes('MemFree') ?? 0) + (bytes('Buffers') ?? 0) + (bytes('Cached') ?? 0);
  const cappedAvailable = Math.min(available, total);
  const swapTotal = bytes('SwapTotal') ?? 0;
  const swapFree = Math.min(bytes('SwapFree') ?? 0, swapTotal);
  return {
    memory: {
      totalBytes: total,
      availableBytes: cappedAvailable,
      usedPercent: percentOf(total - cappedAvailable, total),
    },
    swap: {
      totalBytes: swapTotal,
      freeBytes: swapFree,
      usedPercent: percentOf(swapTotal - swapFree, swapTotal),
    },
  };
}

/** Reads and parses `<procRoot>/meminfo`. */
export async function readMemory(procRoot: string): Promise<MemoryStats> {
  return parseMemory(readFileSync(join(procRoot, 'meminfo'), 'utf8'));
}
