import type { RuleSample } from './stats-observations.js';

/** A stats sample of a host waiting out the allowed lateness before it is evaluated in event-time order. */
export interface WaitingSample {
  readonly messageId: string;
  /** Event time, milliseconds since the epoch. */
  readonly time: number;
  /** When the alerter first received it, milliseconds since the epoch. */
  readonly receivedAt: number;
  readonly sample: RuleSample;
}

// Positional arrays instead of objects: a waiting sample is written in every batch that carries its
// host, and its size (about 80 bytes instead of 200) is what both sides pay to encode and store it.
type Encoded = [messageId: string, time: number, receivedAt: number, sample: PositionalSample];

/** A {@link RuleSample} as a positional array, the form it is stored and passed between threads in. */
export type PositionalSample = [
  hostname: string,
  addresses: readonly string[],
  cpuCount: number,
  cpuUsedPercent: number | null,
  cores: readonly number[],
  memoryUsedPercent: number,
  swapTotalBytes: number,
  swapUsedPercent: number,
  load: readonly [number, number, number],
  disks: [mount: string, usedPercent: number][],
];

/** The positional form of `s`, as {@link encodeWaitingSamples} writes it inside each sample. */
export function positionalSample(s: RuleSample): PositionalSample {
  const disks: [string, number][] = [];
  for (const d of s.disks) disks.push([d.mount, d.usedPercent]);
  return [s.hostname, s.addresses, s.cpu.count, s.cpu.usedPercent ?? null, s.cpu.cores, s.memory.usedPercent, s.swap.totalBytes, s.swap.usedPercent, s.load, disks];
}

/** The {@link RuleSample} of a positional form made by {@link positionalSample}. */
export function ruleSampleOf([hostname, addresses, count, usedPercent, cores, memory, swapTotal, swapUsed, load, disks]: PositionalSample): RuleSample {
  return {
    hostname,
    addresses,
    cpu: { count, usedPercent: usedPercent ?? undefined, cores },
    memory: { usedPercent: memory },
    swap: { totalBytes: swapTotal, usedPercent: swapUsed },
    load,
    disks: disks.map(([mount, used]) => ({ mount, usedPercent: used })),
  };
}

/** The `alerter_host_progress.waiting` text of `samples`; the migration that made the column writes the same form. */
export function encodeWaitingSamples(samples: readonly WaitingSample[]): string {
  if (samples.length === 0) return '[]';
  const rows: Encoded[] = [];
  for (const { messageId, time, receivedAt, sample } of samples) rows.push([messageId, time, receivedAt, positionalSample(sample)]);
  return JSON.stringify(rows);
}

/** The samples of an `alerter_host_progress.waiting` text, as {@link encodeWaitingSamples} wrote them. */
export function decodeWaitingSamples(text: string): WaitingSample[] {
  if (text === '[]') return [];
  const rows = JSON.parse(text) as Encoded[];
  return rows.map(([messageId, time, receivedAt, sample]) => ({ messageId, time, receivedAt, sample: ruleSampleOf(sample) }));
}
