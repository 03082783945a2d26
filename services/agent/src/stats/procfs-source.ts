import { readBootId } from './boot-id.js';
import { readCpuTimes } from './cpu-times.js';
import { CpuUsage, type CpuStats } from './cpu-usage.js';
import { readDisks, type DiskReading } from './disks.js';
import { readLoadAverage, type LoadAverage } from './load-average.js';
import { readMemory, type MemoryStats } from './memory.js';
import { readNetwork, type NetworkStats } from './network.js';
import { readProcessCount } from './process-count.js';
import type { StatsSource } from './stats-source.js';
import { readUptime } from './uptime.js';

/** Where {@link ProcfsSource} finds the kernel's files; tests point these at fixture trees. */
export interface ProcfsPaths {
  /** Mount point of procfs, normally `/proc`. */
  readonly procRoot: string;
  /** Mount point of sysfs, normally `/sys`. */
  readonly sysRoot: string;
  /** Directory under which mount points are resolved for `statfs`, normally `/`. */
  readonly rootPath: string;
}

/**
 * The Linux source of stats: procfs and sysfs, read afresh at every call. Their files are read synchronously: the
 * kernel makes them up on the spot and never waits for a disk, and a read through the thread pool costs several times
 * the CPU (four round trips and their promises per file) — at a 1 s interval that was most of the agent's. `statfs`
 * of the mounts stays asynchronous: a network file system that stopped answering must not stall the agent.
 */
export class ProcfsSource implements StatsSource {
  readonly #paths: ProcfsPaths;
  readonly #cpu = new CpuUsage();

  /** Reads from the given roots. */
  constructor(paths: ProcfsPaths) {
    this.#paths = paths;
  }

  /** CPU usage from the deltas of `/proc/stat`. */
  async cpu(): Promise<CpuStats> {
    return this.#cpu.update(await readCpuTimes(this.#paths.procRoot));
  }

  /** Memory and swap from `/proc/meminfo`. */
  memory(): Promise<MemoryStats> {
    return readMemory(this.#paths.procRoot);
  }

  /** Load averages from `/proc/loadavg`. */
  load(): Promise<LoadAverage> {
    return readLoadAverage(this.#paths.procRoot);
  }

  /** Uptime from `/proc/uptime`. */
  uptimeSeconds(): Promise<number> {
    return readUptime(this.#paths.procRoot);
  }

  /** The kernel's boot id. */
  bootId(): Promise<string> {
    return readBootId(this.#paths.procRoot);
  }

  /** The number of process directories in `/proc`. */
  processes(): Promise<number | undefined> {
    return readProcessCount(this.#paths.procRoot);
  }

  /** Usage of each real mount in the mount table. */
  disks(): Promise<DiskReading> {
    return readDisks(this.#paths.procRoot, this.#paths.rootPath);
  }

  /** Byte counters from `/proc/net/dev`, loopback left out. */
  network(): Promise<NetworkStats[]> {
    return readNetwork(this.#paths.procRoot, this.#paths.sysRoot);
  }
}
