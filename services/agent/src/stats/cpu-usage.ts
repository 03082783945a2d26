import type { CpuTimes, CpuTimesSample } from './cpu-times.js';
import { percentOf } from './percent.js';

/** The `cpu` part of a stats message: online cores and, from the second sample on, busy percentages. */
export interface CpuStats {
  readonly count: number;
  readonly usedPercent?: number;
  readonly cores: readonly number[];
}

interface Split {
  readonly busy: number;
  readonly idle: number;
}

function split(times: CpuTimes): Split {
  // guest and guest_nice are already included in user and nice; iowait is idle time spent waiting on I/O.
  const idle = times.idle + times.iowait;
  const busy = times.user + times.nice + times.system + times.irq + times.softirq + times.steal;
  return { busy, idle };
}

interface Delta {
  readonly busy: number;
  readonly idle: number;
}

function delta(before: CpuTimes | undefined, after: CpuTimes): Delta | undefined {
  if (!before) return undefined;
  const a = split(before);
  const b = split(after);
  const elapsed = b.busy + b.idle - (a.busy + a.idle);
  // Less total time than before means the counters were reset or wrapped: start again from this sample.
  if (elapsed <= 0) return undefined;
  // The kernel's iowait (and with it idle) can step back a little on tickless kernels; never count negative time.
  const busy = Math.max(0, b.busy - a.busy);
  const idle = Math.max(0, b.idle - a.idle);
  return busy + idle > 0 ? { busy, idle } : undefined;
}

function percent(d: Delta): number {
  return percentOf(d.busy, d.busy + d.idle);
}

/**
 * Turns successive CPU counter samples into busy percentages over the interval between them.
 * The first sample only sets the baseline. A core that is absent from either sample (offline,
 * just hot-plugged) or whose counters went backwards has no percentage this interval, so `cores`
 * lists, in ascending CPU number, the cores measured over the whole interval. The machine-wide
 * figure is the sum over those cores rather than the kernel's aggregate line, whose idle time
 * jumps when a core goes offline.
 */
export class CpuUsage {
  #previous: CpuTimesSample | undefined;

  /** Records `sample` as the new baseline and returns the usage since the previous one. */
  update(sample: CpuTimesSample): CpuStats {
    const previous = this.#previous;
    this.#previous = sample;
    const count = Math.max(1, sample.cores.size);
    if (!previous) return { count, cores: [] };

    const cores: number[] = [];
    let busy = 0;
    let idle = 0;
    for (const number of [...sample.cores.keys()].sort((x, y) => x - y)) {
      const after = sample.cores.get(number);
      if (!after) continue;
      const d = delta(previous.cores.get(number), after);
      if (!d) continue;
      cores.push(percent(d));
      busy += d.busy;
      idle += d.idle;
    }
    if (sample.cores.size === 0 && previous.cores.size === 0) {
      const d = delta(previous.total, sample.total);
      return d ? { count, usedPercent: percent(d), cores } : { count, cores };
    }
    return busy + idle > 0 ? { count, usedPercent: percent({ busy, idle }), cores } : { count, cores };
  }
}
