import type { StatsMessageV1 } from '@hostwatch/contract';
import type { AlertRule } from '../rules/rules.js';
import { sampleText } from './waiting-samples.js';

/** What threshold rules and their mail read of a stats sample: stored while a sample waits out the lateness, so kept small. */
export interface RuleSample {
  readonly hostname: string;
  readonly addresses: readonly string[];
  readonly cpu: { readonly count: number; readonly usedPercent?: number | undefined; readonly cores: readonly number[] };
  readonly memory: { readonly usedPercent: number };
  readonly swap: { readonly totalBytes: number; readonly usedPercent: number };
  readonly load: readonly [number, number, number];
  readonly disks: readonly { readonly mount: string; readonly usedPercent: number }[];
}

/** The part of `m` that {@link statsObservations} and alert mail read (per-core figures only when the total is missing). */
export function ruleSample(m: StatsMessageV1): RuleSample {
  return {
    hostname: m.hostname,
    addresses: m.addresses,
    cpu: { count: m.cpu.count, usedPercent: m.cpu.usedPercent, cores: m.cpu.usedPercent === undefined ? m.cpu.cores : [] },
    memory: { usedPercent: m.memory.usedPercent },
    swap: { totalBytes: m.swap.totalBytes, usedPercent: m.swap.usedPercent },
    load: m.load,
    disks: m.disks.map((d) => ({ mount: d.mount, usedPercent: d.usedPercent })),
  };
}

/**
 * A stats message reduced to what evaluation reads: its event time and its sample as the text it
 * waits in ({@link sampleText}). The consumer keeps this instead of the parsed message, so a batch
 * holds one string per message and the parsed body is garbage at once, while it is still young.
 */
export interface SampledStats {
  readonly kind: 'stats';
  /** Event time, milliseconds since the epoch. */
  readonly time: number;
  /** The {@link sampleText} of the message. */
  readonly sample: string;
}

/** The {@link SampledStats} of `m`. */
export function sampledStats(m: StatsMessageV1): SampledStats {
  return { kind: 'stats', time: Date.parse(m.time), sample: sampleText(m) };
}

/** One value a threshold rule reads from a stats sample, with the label that names its series (a mount point). */
export interface LabelledValue {
  readonly label: string;
  readonly value: number;
}

/**
 * The values `rule` watches in `sample`: memory, CPU and swap used percent; used percent of each
 * disk (or of the one `mount`); the chosen load average divided by the number of cores. Empty when
 * the sample has nothing for the rule (no swap configured, the mount absent) or the type is not a
 * threshold on stats.
 */
export function statsObservations(rule: AlertRule, sample: RuleSample): LabelledValue[] {
  switch (rule.type) {
    case 'memory':
      return [{ label: '', value: sample.memory.usedPercent }];
    case 'cpu': {
      const cores = sample.cpu.cores;
      const value = sample.cpu.usedPercent ?? (cores.length > 0 ? cores.reduce((a, b) => a + b, 0) / cores.length : undefined);
      return value === undefined ? [] : [{ label: '', value }];
    }
    case 'swap':
      return sample.swap.totalBytes > 0 ? [{ label: '', value: sample.swap.usedPercent }] : [];
    case 'disk':
      return sample.disks
        .filter((d) => rule.mount === undefined || d.mount === rule.mount)
        .map((d) => ({ label: d.mount, value: d.usedPercent }));
    case 'load': {
      const index = rule.average === 1 ? 0 : rule.average === 5 ? 1 : 2;
      return [{ label: '', value: Math.round((sample.load[index] / Math.max(1, sample.cpu.count)) * 100) / 100 }];
    }
    default:
      return [];
  }
}
