import type { CpuInfo, NetworkInterfaceInfo } from 'node:os';

/**
 * The parts of `node:os` the stats collectors use: the portable source on hosts without procfs,
 * the host name and addresses everywhere. `node:os` itself fits; tests may hand in other
 * interfaces.
 */
export interface HostOs {
  hostname(): string;
  type(): string;
  release(): string;
  availableParallelism(): number;
  cpus(): CpuInfo[];
  totalmem(): number;
  freemem(): number;
  loadavg(): number[];
  uptime(): number;
  networkInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
}
