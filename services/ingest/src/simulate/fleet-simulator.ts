import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { subjectFor, type StatsMessageV1 } from '@hostwatch/contract';
import {
  Sealer,
  generateHostKeyPair,
  statsMessageId,
  type CollectorPublicKey,
  type HostKeyPair,
} from '@hostwatch/envelope';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';

/** `count` fresh host key pairs, in memory, for hosts `<prefix>-000000`, `<prefix>-000001`, … */
export function simulatedHostKeys(count: number, prefix = 'sim'): HostKeyPair[] {
  return Array.from({ length: count }, (_, i) =>
    generateHostKeyPair(`${prefix}-${String(i).padStart(6, '0')}`),
  );
}

/** A valid stats sample of `hostId`, number `seq` of boot `bootId`, taken at `time` (the publish time). */
export function simulatedStats(hostId: string, bootId: string, seq: number, time: Date): StatsMessageV1 {
  return {
    v: 1,
    kind: 'stats',
    hostId,
    bootId,
    seq,
    time: time.toISOString(),
    intervalMs: 10_000,
    hostname: `${hostId}.simulated`,
    os: 'linux',
    addresses: ['10.0.0.1'],
    cpu: { count: 2, usedPercent: 12.5, cores: [10, 15] },
    memory: { totalBytes: 4_000_000_000, availableBytes: 3_000_000_000, usedPercent: 25 },
    swap: { totalBytes: 1_000_000_000, freeBytes: 900_000_000, usedPercent: 10 },
    load: [0.5, 0.4, 0.3],
    uptimeSeconds: 1234.5,
    processes: 150,
    disks: [
      {
        mount: '/',
        device: '/dev/sda1',
        fstype: 'ext4',
        totalBytes: 100,
        availableBytes: 40,
        usedPercent: 60,
      },
    ],
    network: [{ name: 'eth0', rxBytes: 1, txBytes: 2 }],
    agent: {
      version: 'simulated',
      unparsedLines: 0,
      unparsedSamples: [],
      spoolDepth: 0,
      spoolFull: false,
      collectorErrors: {},
    },
  };
}

/** What a {@link FleetSimulator} publishes as, and where. */
export interface FleetSimulatorOptions {
  readonly js: JetStreamClient;
  readonly hosts: readonly HostKeyPair[];
  readonly collector: CollectorPublicKey;
  /** Each host sends one stats sample per interval. */
  readonly intervalMs: number;
  /** Publishes awaiting JetStream's acknowledgement at most; past it the simulator falls behind. Default 1,000. */
  readonly maxInFlight?: number;
  /** Boot id of every sample; default a random one, so each run's messages are new. */
  readonly bootId?: string;
  /** How long to wait for JetStream to acknowledge one publish. Default 60 s. */
  readonly publishTimeoutMs?: number;
}

/** When a {@link FleetSimulator.run} stops: after `durationMs`, after `count` messages, or when `signal` aborts. */
export interface SimulationLimits {
  readonly durationMs?: number;
  readonly count?: number;
  readonly signal?: AbortSignal;
  /** Called about every `progressEveryMs` (default 10 s) while running. */
  readonly onProgress?: (report: SimulationReport) => void;
  readonly progressEveryMs?: number;
}

/** What a simulation did. */
export interface SimulationReport {
  /** Publishes JetStream acknowledged. */
  readonly acknowledged: number;
  readonly failed: number;
  readonly inFlight: number;
  /** Seconds since the start. */
  readonly seconds: number;
  /** The messages the schedule called for by now that were not yet sent (in-flight limit reached). */
  readonly behind: number;
  /** The first publish error, when there was one. */
  readonly firstError?: string;
}

/**
 * Publishes sealed stats messages as N hosts would, each once per interval, spread evenly over
 * the interval, with the agent's envelope (one derived key per host, AES-256-GCM) and
 * deterministic message ids. A publish counts once JetStream acknowledged it.
 */
export class FleetSimulator {
  readonly #o: FleetSimulatorOptions;
  readonly #sealers: (Sealer | undefined)[];
  readonly #bootId: string;

  constructor(options: FleetSimulatorOptions) {
    if (options.hosts.length === 0) throw new Error('a simulated fleet needs at least one host');
    if (!(options.intervalMs > 0)) throw new Error('the interval must be positive');
    this.#o = options;
    this.#sealers = new Array<Sealer | undefined>(options.hosts.length);
    this.#bootId = options.bootId ?? `sim-${randomBytes(6).toString('hex')}`;
  }

  /** The boot id every sample of this simulator carries. */
  get bootId(): string {
    return this.#bootId;
  }

  /** Messages per second the fleet sends. */
  get rate(): number {
    return (this.#o.hosts.length * 1000) / this.#o.intervalMs;
  }

  #sealer(i: number): Sealer {
    // Derived on first use, so a large fleet starts at once and spreads the key derivations out.
    let s = this.#sealers[i];
    if (!s) {
      s = new Sealer(this.#o.hosts[i] as HostKeyPair, this.#o.collector);
      this.#sealers[i] = s;
    }
    return s;
  }

  /** Seals and publishes sample `seq` of host `i`; resolves when JetStream acknowledged it. */
  async #publish(i: number, seq: number): Promise<void> {
    const sealer = this.#sealer(i);
    const subject = subjectFor(sealer.hostId, 'stats');
    const messageId = statsMessageId({ hostId: sealer.hostId, bootId: this.#bootId, sequence: seq });
    const body = simulatedStats(sealer.hostId, this.#bootId, seq, new Date());
    const sealed = sealer.seal(subject, messageId, Buffer.from(JSON.stringify(body)));
    const h = natsHeaders();
    for (const [k, v] of Object.entries(sealed.headers)) h.set(k, v);
    await this.#o.js.publish(subject, sealed.data, {
      headers: h,
      msgID: messageId,
      timeout: this.#o.publishTimeoutMs ?? 60_000,
    });
  }

  /** Runs until a limit is reached, then waits for the publishes in flight; resolves to the report. */
  async run(limits: SimulationLimits = {}): Promise<SimulationReport> {
    const hosts = this.#o.hosts.length;
    const maxInFlight = this.#o.maxInFlight ?? 1000;
    const perMs = this.rate / 1000;
    const started = Date.now();
    const end = limits.durationMs === undefined ? Infinity : started + limits.durationMs;
    const count = limits.count ?? Infinity;
    const progressEvery = limits.progressEveryMs ?? 10_000;
    let nextProgress = started + progressEvery;
    let scheduled = 0;
    let acknowledged = 0;
    let failed = 0;
    let inFlight = 0;
    let firstError: string | undefined;
    let settled: (() => void) | undefined;
    const report = (now: number): SimulationReport => ({
      acknowledged,
      failed,
      inFlight,
      seconds: (now - started) / 1000,
      behind: Math.max(0, Math.min(count, Math.floor((Math.min(now, end) - started) * perMs)) - scheduled),
      ...(firstError === undefined ? {} : { firstError }),
    });
    for (;;) {
      const now = Date.now();
      if (now >= end || scheduled >= count || limits.signal?.aborted) break;
      const due = Math.min(count, Math.floor((now - started) * perMs) + 1);
      while (scheduled < due && inFlight < maxInFlight) {
        const i = scheduled % hosts;
        const seq = Math.floor(scheduled / hosts) + 1;
        scheduled++;
        inFlight++;
        this.#publish(i, seq).then(
          () => {
            acknowledged++;
            inFlight--;
            settled?.();
          },
          (err: unknown) => {
            failed++;
            inFlight--;
            firstError ??= err instanceof Error ? err.message : String(err);
            settled?.();
          },
        );
      }
      if (now >= nextProgress) {
        limits.onProgress?.(report(now));
        nextProgress += progressEvery;
      }
      await sleep(5);
    }
    while (inFlight > 0) await new Promise<void>((resolve) => (settled = resolve));
    return report(Date.now());
  }
}
