import { access } from 'node:fs/promises';
import * as nodeOs from 'node:os';
import { join, parse } from 'node:path';
import { assertHostId, type StatsMessageV1 } from '@hostwatch/contract/light';
import { hostAddresses } from './addresses.js';
import type { CpuStats } from './cpu-usage.js';
import type { HostOs } from './host-os.js';
import type { MemoryStats } from './memory.js';
import { readOsName } from './os-name.js';
import { PortableSource } from './portable-source.js';
import { ProcfsSource } from './procfs-source.js';
import type { StatsSource } from './stats-source.js';

/** How often the agent takes a sample unless configured otherwise. */
export const DEFAULT_STATS_INTERVAL_MS = 10_000;

/** A stats message without the fields the agent owns: its sequence number and its own health. */
export type StatsBody = Omit<StatsMessageV1, 'seq' | 'agent'>;

/** The name of each collector, as counted in the agent's `collectorErrors`. */
export type StatsCollectorName =
  | 'cpu'
  | 'memory'
  | 'load'
  | 'uptime'
  | 'boot-id'
  | 'processes'
  | 'disks'
  | 'network'
  | 'hostname'
  | 'os'
  | 'addresses';

/** A collector that failed during one sample, and the error it failed with. */
export interface CollectorFailure {
  readonly collector: StatsCollectorName;
  readonly error: unknown;
}

/** One sample: the message body, the failures met while taking it, and failure counts so far. */
export interface StatsSample {
  readonly body: StatsBody;
  /** Every error of this sample, for the log; a collector may fail in more than one source. */
  readonly failures: readonly CollectorFailure[];
  /** Samples in which each collector failed, since this collector was created: the agent's `collectorErrors`. */
  readonly collectorErrors: Readonly<Record<string, number>>;
}

const NO_CPU: CpuStats = { count: 1, cores: [] };

const NO_MEMORY: MemoryStats = {
  memory: { totalBytes: 0, availableBytes: 0, usedPercent: 0 },
  swap: { totalBytes: 0, freeBytes: 0, usedPercent: 0 },
};

/** How to build a {@link StatsCollector}; everything but the host id has a default for a real host. */
export interface StatsCollectorOptions {
  /** The host id the messages are published under. */
  readonly hostId: string;
  /** The configured sampling interval, carried in every message; default {@link DEFAULT_STATS_INTERVAL_MS}. */
  readonly intervalMs?: number;
  /** Mount point of procfs; default `/proc`. When it has no `stat` file the host is read through `node:os`. */
  readonly procRoot?: string;
  /** Mount point of sysfs; default `/sys`. */
  readonly sysRoot?: string;
  /** Directory that mount points and `/etc/os-release` are resolved under; default the root of the file system. */
  readonly rootPath?: string;
  /** `node:os` or a stand-in; default `node:os`. */
  readonly os?: HostOs;
  /** The clock; default the system clock. */
  readonly now?: () => Date;
}

/**
 * Takes stats samples: every collector once per call, each isolated from the others. A collector
 * that throws is recorded in `failures`, counted in `collectorErrors`, and its part of the message
 * comes from the next source (procfs, then `node:os`) or, failing all, an empty value (no disks,
 * no swap, zero load), so every sample is a valid message body. Call {@link collect} once per
 * interval and not concurrently: CPU percentages are measured between consecutive calls.
 */
export class StatsCollector {
  readonly #hostId: string;
  readonly #intervalMs: number;
  readonly #procRoot: string;
  readonly #sysRoot: string;
  readonly #rootPath: string;
  readonly #os: HostOs;
  readonly #now: () => Date;
  readonly #errorCounts = new Map<string, number>();
  #sources: Promise<readonly StatsSource[]> | undefined;
  #lastResortBootId: string | undefined;

  /** Checks the options; reads nothing until the first {@link collect}. */
  constructor(options: StatsCollectorOptions) {
    this.#hostId = assertHostId(options.hostId);
    const intervalMs = options.intervalMs ?? DEFAULT_STATS_INTERVAL_MS;
    if (!Number.isInteger(intervalMs) || intervalMs < 1) {
      throw new RangeError(`stats interval must be a whole number of milliseconds >= 1, not ${intervalMs}`);
    }
    this.#intervalMs = intervalMs;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#sysRoot = options.sysRoot ?? '/sys';
    this.#rootPath = options.rootPath ?? parse(process.cwd()).root;
    this.#os = options.os ?? nodeOs;
    this.#now = options.now ?? (() => new Date());
  }

  /** Whether samples come from procfs (`procfs`) or from `node:os` (`portable`); known after the first sample. */
  async mode(): Promise<'procfs' | 'portable'> {
    const sources = await this.#chooseSources();
    return sources[0] instanceof ProcfsSource ? 'procfs' : 'portable';
  }

  /** Takes one sample of every collector. */
  async collect(): Promise<StatsSample> {
    const time = this.#now();
    const sources = await this.#chooseSources();
    const failures: CollectorFailure[] = [];
    // Tries each way of reading one part in turn; undefined when all of them failed.
    const attempt = async <T>(
      collector: StatsCollectorName,
      ...reads: readonly (() => T | Promise<T>)[]
    ): Promise<T | undefined> => {
      for (const read of reads) {
        try {
          return await read();
        } catch (error) {
          failures.push({ collector, error });
        }
      }
      return undefined;
    };
    const fromSources = <T>(collector: StatsCollectorName, read: (source: StatsSource) => Promise<T>) =>
      attempt(collector, ...sources.map((source) => () => read(source)));
    const os = this.#os;

    const [cpu, memory, load, uptimeSeconds, bootId, processes, disks, network, hostname, osName, addresses] =
      await Promise.all([
        fromSources('cpu', (source) => source.cpu()),
        fromSources('memory', (source) => source.memory()),
        fromSources('load', (source) => source.load()),
        fromSources('uptime', (source) => source.uptimeSeconds()),
        fromSources('boot-id', (source) => source.bootId()),
        fromSources('processes', (source) => source.processes()),
        fromSources('disks', (source) => source.disks()),
        fromSources('network', (source) => source.network()),
        attempt('hostname', () => os.hostname()),
        attempt('os', async () => (await readOsName(this.#rootPath)) ?? `${os.type()} ${os.release()}`),
        attempt('addresses', () => hostAddresses(os.networkInterfaces())),
      ]);
    for (const { mount, error } of disks?.failures ?? []) {
      failures.push({
        collector: 'disks',
        error: new Error(`statfs ${JSON.stringify(mount)} failed`, { cause: error }),
      });
    }
    for (const collector of new Set(failures.map((failure) => failure.collector))) {
      this.#errorCounts.set(collector, (this.#errorCounts.get(collector) ?? 0) + 1);
    }
    // Unique to this agent process, so message ids never collide with those of another boot.
    this.#lastResortBootId ??= `agent-${time.getTime()}`;
    const memoryStats = memory ?? NO_MEMORY;
    const cpuStats = cpu ?? NO_CPU;

    const body: StatsBody = {
      v: 1,
      kind: 'stats',
      hostId: this.#hostId,
      bootId: (bootId ?? this.#lastResortBootId).slice(0, 64),
      time: time.toISOString(),
      intervalMs: this.#intervalMs,
      hostname: (hostname ?? '').slice(0, 255),
      os: (osName ?? '').slice(0, 64),
      addresses: addresses ?? [],
      cpu: {
        count: cpuStats.count,
        ...(cpuStats.usedPercent === undefined ? {} : { usedPercent: cpuStats.usedPercent }),
        cores: [...cpuStats.cores],
      },
      memory: { ...memoryStats.memory },
      swap: { ...memoryStats.swap },
      load: load ? [load[0], load[1], load[2]] : [0, 0, 0],
      uptimeSeconds: uptimeSeconds ?? 0,
      ...(processes === undefined ? {} : { processes }),
      disks: disks?.disks ?? [],
      network: network ?? [],
    };
    return { body, failures, collectorErrors: Object.fromEntries(this.#errorCounts) };
  }

  #chooseSources(): Promise<readonly StatsSource[]> {
    this.#sources ??= this.#detectSources();
    return this.#sources;
  }

  async #detectSources(): Promise<readonly StatsSource[]> {
    const portable = new PortableSource({ os: this.#os, now: this.#now, diskPath: this.#rootPath });
    try {
      await access(join(this.#procRoot, 'stat'));
    } catch {
      return [portable];
    }
    const procfs = new ProcfsSource({
      procRoot: this.#procRoot,
      sysRoot: this.#sysRoot,
      rootPath: this.#rootPath,
    });
    return [procfs, portable];
  }
}
