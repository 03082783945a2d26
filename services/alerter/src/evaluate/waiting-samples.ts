import type { StatsMessageV1 } from '@hostwatch/contract';
import type { RuleSample } from './stats-observations.js';

/** A stats sample of a host waiting out the allowed lateness before it is evaluated in event-time order. */
export interface WaitingSample {
  readonly messageId: string;
  /** Event time, milliseconds since the epoch. */
  readonly time: number;
  /** When the alerter first received it, milliseconds since the epoch. */
  readonly receivedAt: number;
  /** The sample as {@link sampleText}: parsed only once it is due, written back as it is while it waits. */
  readonly sample: string;
  /** Its line of the stored text when it was read from one, written back unchanged. */
  readonly line?: string;
}

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

/** The positional form of `s`. */
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

/**
 * The text a sample travels and waits as: its {@link positionalSample} as JSON, made straight from
 * the message (per-core figures only when the total is missing, as `ruleSample`). A sample is
 * written once as this text and parsed once, when it is due: in between, from the thread that
 * opened it to the stored waiting row and back, it stays one string.
 */
export function sampleText(m: StatsMessageV1): string {
  const disks: [string, number][] = [];
  for (const d of m.disks) disks.push([d.mount, d.usedPercent]);
  const usedPercent = m.cpu.usedPercent;
  return JSON.stringify([m.hostname, m.addresses, m.cpu.count, usedPercent ?? null, usedPercent === undefined ? m.cpu.cores : [], m.memory.usedPercent, m.swap.totalBytes, m.swap.usedPercent, m.load, disks]);
}

/** The {@link RuleSample} of a {@link sampleText}. */
export function ruleSampleOfText(text: string): RuleSample {
  return ruleSampleOf(JSON.parse(text) as PositionalSample);
}

/**
 * Whether the {@link sampleText} `text` names the host `hostname` with `addresses`, told without
 * parsing it: the text begins with both, written as JSON writes them.
 */
export function sampleNames(text: string, hostname: string | null | undefined, addresses: readonly string[] | null | undefined): boolean {
  if (hostname == null || addresses == null) return false;
  return text.startsWith(`[${JSON.stringify(hostname)},${JSON.stringify(addresses)},`);
}

/**
 * The `alerter_host_progress.waiting` text of `samples`: a line per sample, `messageId TAB time TAB
 * receivedAt TAB sample` (times in milliseconds since the epoch, the sample as {@link sampleText}),
 * empty when none waits. Neither a message id nor JSON text holds a tab or a line break, so a line
 * splits without parsing the sample.
 */
export function encodeWaitingSamples(samples: readonly WaitingSample[]): string {
  let text = '';
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (i > 0) text += '\n';
    text += s.line ?? `${s.messageId}\t${s.time}\t${s.receivedAt}\t${s.sample}`;
  }
  return text;
}

/**
 * The samples of an `alerter_host_progress.waiting` text as {@link encodeWaitingSamples} writes it,
 * or as a JSON array of `[messageId, time, receivedAt, positionalSample]` (the form before
 * migration 2026-11-24T1500, which a replica not yet upgraded may still write).
 */
export function decodeWaitingSamples(text: string): WaitingSample[] {
  if (text === '' || text === '[]') return [];
  if (text.charCodeAt(0) === 0x5b /* [ */) {
    const rows = JSON.parse(text) as [string, number, number, PositionalSample][];
    return rows.map(([messageId, time, receivedAt, sample]) => ({ messageId, time, receivedAt, sample: JSON.stringify(sample) }));
  }
  const samples: WaitingSample[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const a = text.indexOf('\t', start);
    const b = text.indexOf('\t', a + 1);
    const c = text.indexOf('\t', b + 1);
    if (a === -1 || b === -1 || c === -1 || c > end) throw new Error(`waiting sample line ${samples.length + 1} has fewer than four fields`);
    samples.push({
      messageId: text.slice(start, a),
      time: Number(text.slice(a + 1, b)),
      receivedAt: Number(text.slice(b + 1, c)),
      sample: text.slice(c + 1, end),
      line: text.slice(start, end),
    });
    start = end + 1;
  }
  return samples;
}
