import type { CpuStats } from './cpu-usage.js';
import type { DiskReading } from './disks.js';
import type { LoadAverage } from './load-average.js';
import type { MemoryStats } from './memory.js';
import type { NetworkStats } from './network.js';

/** Where the platform-specific figures of a stats sample come from: procfs on Linux, `node:os` elsewhere. */
export interface StatsSource {
  /** CPU count and busy percentages since the previous call. */
  cpu(): Promise<CpuStats>;
  /** Memory and swap. */
  memory(): Promise<MemoryStats>;
  /** Load averages over 1, 5 and 15 minutes. */
  load(): Promise<LoadAverage>;
  /** Seconds since boot. */
  uptimeSeconds(): Promise<number>;
  /** An id that changes at every boot. */
  bootId(): Promise<string>;
  /** Number of processes, when the platform tells. */
  processes(): Promise<number | undefined>;
  /** Usage of each local file system. */
  disks(): Promise<DiskReading>;
  /** Byte counters of each network interface, when the platform tells. */
  network(): Promise<NetworkStats[]>;
}
