import { statfs } from 'node:fs/promises';
import { bootIdFromBootTime } from './boot-id.js';
import { cpuTimesFromOs } from './cpu-times-from-os.js';
import { CpuUsage, type CpuStats } from './cpu-usage.js';
import { diskUsage, type DiskReading } from './disks.js';
import type { HostOs } from './host-os.js';
import type { LoadAverage } from './load-average.js';
import type { MemoryStats } from './memory.js';
import type { NetworkStats } from './network.js';
import { percentOf } from './percent.js';
import type { StatsSource } from './stats-source.js';

/** What {@link PortableSource} reads from. */
export interface PortableSourceOptions {
  /** `node:os` or a stand-in. */
  readonly os: HostOs;
  /** The clock, for the boot time behind the boot id. */
  readonly now: () => Date;
  /** The file system whose usage is the one disk reported: `/`, or a drive root such as `C:\`. */
  readonly diskPath: string;
}

/**
 * The source of stats on hosts without procfs (macOS, Windows, BSD): what `node:os` offers.
 * It knows no swap (reported as none), no process count and no interface byte counters, and
 * reports one disk.
 */
export class PortableSource implements StatsSource {
  readonly #options: PortableSourceOptions;
  readonly #cpu = new CpuUsage();
  #bootId: string | undefined;

  /** Reads from `options.os`. */
  constructor(options: PortableSourceOptions) {
    this.#options = options;
  }

  /** CPU usage from the deltas of `os.cpus()` times. */
  async cpu(): Promise<CpuStats> {
    return this.#cpu.update(cpuTimesFromOs(this.#options.os.cpus()));
  }

  /** Memory from `os.totalmem()` and `os.freemem()`; swap unknown, reported as none. */
  async memory(): Promise<MemoryStats> {
    const total = this.#options.os.totalmem();
    const available = Math.min(this.#options.os.freemem(), total);
    return {
      memory: {
        totalBytes: total,
        availableBytes: available,
        usedPercent: percentOf(total - available, total),
      },
      swap: { totalBytes: 0, freeBytes: 0, usedPercent: 0 },
    };
  }

  /** `os.loadavg()`, which is zeros on Windows. */
  async load(): Promise<LoadAverage> {
    const [one = 0, five = 0, fifteen = 0] = this.#options.os.loadavg();
    return [Math.max(0, one), Math.max(0, five), Math.max(0, fifteen)];
  }

  /** `os.uptime()`. */
  async uptimeSeconds(): Promise<number> {
    return Math.max(0, this.#options.os.uptime());
  }

  /** A boot id derived from the boot time, computed once so it stays put while the agent runs. */
  async bootId(): Promise<string> {
    this.#bootId ??= bootIdFromBootTime(this.#options.now().getTime() - this.#options.os.uptime() * 1000);
    return this.#bootId;
  }

  /** Not known here. */
  async processes(): Promise<number | undefined> {
    return undefined;
  }

  /** Usage of the file system holding `diskPath`. */
  async disks(): Promise<DiskReading> {
    const usage = diskUsage(await statfs(this.#options.diskPath, { bigint: true }));
    const disks = usage ? [{ mount: this.#options.diskPath, device: '', fstype: '', ...usage }] : [];
    return { disks, failures: [] };
  }

  /** Not known here: `node:os` has no byte counters. */
  async network(): Promise<NetworkStats[]> {
    return [];
  }
}
