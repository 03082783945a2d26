import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Cumulative time one CPU (or all of them) spent in each state since boot, in clock ticks. */
export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  readonly steal: number;
  readonly guest: number;
  readonly guestNice: number;
}

/** One reading of the CPU counters: the machine-wide line and one entry per online core, by CPU number. */
export interface CpuTimesSample {
  readonly total: CpuTimes;
  readonly cores: ReadonlyMap<number, CpuTimes>;
}

const FIELDS = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
  'guest',
  'guestNice',
] as const;

function parseTimes(values: readonly string[], line: string): CpuTimes {
  // Kernels before 2.6.33 print fewer columns; the missing states count as zero.
  if (values.length < 4) throw new Error(`/proc/stat: too few CPU columns in ${JSON.stringify(line)}`);
  const times: Record<(typeof FIELDS)[number], number> = {
    user: 0,
    nice: 0,
    system: 0,
    idle: 0,
    iowait: 0,
    irq: 0,
    softirq: 0,
    steal: 0,
    guest: 0,
    guestNice: 0,
  };
  FIELDS.forEach((field, index) => {
    const text = values[index];
    if (text === undefined) return;
    if (!/^\d+$/.test(text))
      throw new Error(`/proc/stat: ${field} is not a counter in ${JSON.stringify(line)}`);
    times[field] = Number(text);
  });
  return times;
}

/** Parses the `cpu` and `cpuN` lines of `/proc/stat`; offline cores have no line and are absent. */
export function parseCpuTimes(text: string): CpuTimesSample {
  let total: CpuTimes | undefined;
  const cores = new Map<number, CpuTimes>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [label = '', ...values] = line.trim().split(/\s+/);
    if (label === 'cpu') {
      total = parseTimes(values, line);
      continue;
    }
    const number = /^cpu(\d+)$/.exec(label)?.[1];
    if (number === undefined) continue;
    cores.set(Number(number), parseTimes(values, line));
  }
  if (!total) throw new Error('/proc/stat: no aggregate "cpu" line');
  return { total, cores };
}

/** Reads and parses `<procRoot>/stat`. */
export async function readCpuTimes(procRoot: string): Promise<CpuTimesSample> {
  return parseCpuTimes(readFileSync(join(procRoot, 'stat'), 'utf8'));
}
