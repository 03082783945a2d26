import type { CpuTimes, CpuTimesSample } from './cpu-times.js';
import type { HostOs } from './host-os.js';

/** Converts `os.cpus()` into the shape of a `/proc/stat` sample (milliseconds instead of ticks). */
export function cpuTimesFromOs(cpus: ReturnType<HostOs['cpus']>): CpuTimesSample {
  if (cpus.length === 0) throw new Error('os.cpus() lists no CPU');
  const cores = new Map<number, CpuTimes>();
  cpus.forEach((cpu, index) => {
    const { user, nice, sys, idle, irq } = cpu.times;
    cores.set(index, {
      user,
      nice,
      system: sys,
      idle,
      iowait: 0,
      irq,
      softirq: 0,
      steal: 0,
      guest: 0,
      guestNice: 0,
    });
  });
  const sum = (field: keyof CpuTimes): number =>
    [...cores.values()].reduce((acc, times) => acc + times[field], 0);
  const total: CpuTimes = {
    user: sum('user'),
    nice: sum('nice'),
    system: sum('system'),
    idle: sum('idle'),
    iowait: 0,
    irq: sum('irq'),
    softirq: 0,
    steal: 0,
    guest: 0,
    guestNice: 0,
  };
  return { total, cores };
}
