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
type Encoded = [
  messageId: string,
  time: number,
  receivedAt: number,
  sample: [
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
  ],
];

/** The `alerter_host_progress.waiting` text of `samples`; the migration that made the column writes the same form. */
export function encodeWaitingSamples(samples: readonly WaitingSample[]): string {
  if (samples.length === 0) return '[]';
  const rows: Encoded[] = [];
  for (const { messageId, time, receivedAt, sample: s } of samples) {
    const disks: [string, number][] = [];
    for (const d of s.disks) disks.push([d.mount, d.usedPercent]);
    rows.push([
      messageId,
      time,
      receivedAt,
      [s.hostname, s.addresses, s.cpu.count, s.cpu.usedPercent ?? null, s.cpu.cores, s.memory.usedPercent, s.swap.totalBytes, s.swap.usedPercent, s.load, disks],
    ]);
  }
  return JSON.stringify(rows);
}

/** The samples of an `alerter_host_progress.waiting` text, as {@link encodeWaitingSamples} wrote them. */
export function decodeWaitingSamples(text: string): WaitingSample[] {
  if (text === '[]') return [];
  const rows = JSON.parse(text) as Encoded[];
  return rows.map(([messageId, time, receivedAt, [hostname, addresses, count, usedPercent, cores, memory, swapTotal, swapUsed, load, disks]]) => ({
    messageId,
    time,
    receivedAt,
    sample: {
      hostname,
      addresses,
      cpu: { count, usedPercent: usedPercent ?? undefined, cores },
      memory: { usedPercent: memory },
      swap: { totalBytes: swapTotal, usedPercent: swapUsed },
      load,
      disks: disks.map(([mount, used]) => ({ mount, usedPercent: used })),
    },
  }));
}
