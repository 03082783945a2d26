import { subjectFor, type StatsMessageV1 } from '@hostwatch/contract/light';
import { statsMessageId, type Sealer } from '@hostwatch/envelope';
import type { AuthLogScanner } from '@hostwatch/auth-log';
import { SpoolFullError } from '../delivery/spool.js';
import type { Delivery } from '../delivery/delivery.js';
import type { StatsCollector } from '../stats/stats-collector.js';
import type { PipelineLog } from './auth-log-pipeline.js';

/** Options of {@link StatsPipeline}. */
export interface StatsPipelineOptions {
  readonly hostId: string;
  readonly collector: StatsCollector;
  readonly sealer: Sealer;
  readonly delivery: Delivery;
  readonly log: PipelineLog;
  readonly version: string;
  /** The auth-log scanners whose unrecognised sshd lines the stats report (format drift made visible). */
  readonly scanners: () => readonly AuthLogScanner[];
  readonly intervalMs: number;
}

const encoder = new TextEncoder();

/**
 * Samples the host every interval and sends one sealed `stats` message, with the agent's own
 * health: unparsed sshd lines and samples, spool depth, publish latency, last acknowledged time.
 * The message id is host, boot id and the sample's time in milliseconds, which no other sample of
 * the same boot shares, so a re-sent sample is recognised and a new one never is.
 */
export class StatsPipeline {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: StatsPipelineOptions) {}

  /** Takes one sample and sends it; resolves when it is acknowledged or spooled. */
  async sampleOnce(): Promise<StatsMessageV1> {
    const { hostId, collector, sealer, delivery, log, scanners } = this.options;
    const sample = await collector.collect();
    const health = delivery.health();
    const all = scanners();
    // Typed, not validated at run time: the schemas live in the contract's main entry, whose library (TypeBox) would
    // be a quarter of the agent's memory. The tests validate every kind of message the agent sends against the
    // schema, and ingest validates each one it receives (a mismatch is quarantined with its reason).
    const message: StatsMessageV1 = {
      ...sample.body,
      seq: Date.parse(sample.body.time),
      agent: {
        version: this.options.version,
        unparsedLines: all.reduce((n, s) => n + s.unparsed, 0),
        unparsedSamples: all.flatMap((s) => s.unparsedSamples.map((u) => u.text.slice(0, 1024))).slice(0, 10),
        spoolDepth: health.spoolDepth,
        spoolFull: health.spoolFull,
        ...(health.publishLatencyMs === undefined ? {} : { publishLatencyMs: health.publishLatencyMs }),
        ...(health.lastAckAt ? { lastAckAt: health.lastAckAt } : {}),
        ...(health.dropped > 0 ? { dropped: health.dropped } : {}),
        collectorErrors: sample.collectorErrors,
      },
    };
    for (const failure of sample.failures)
      log.warn({ collector: failure.collector, err: failure.error }, 'collector failed');
    const subject = subjectFor(hostId, 'stats');
    const id = statsMessageId({ hostId, bootId: message.bootId, sequence: message.seq });
    const sealed = sealer.seal(subject, id, encoder.encode(JSON.stringify(message)));
    try {
      await delivery.send(subject, sealed);
    } catch (err) {
      if (!(err instanceof SpoolFullError)) throw err;
      delivery.countDropped();
      log.error({ id }, 'spool full: stats sample dropped (counted in the next report)');
    }
    return message;
  }

  /** Samples now and then every interval until {@link stop}. */
  start(): void {
    const tick = (): void => {
      this.running = this.sampleOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.options.log.error({ err }, 'stats sample failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    tick();
  }

  /** Stops sampling after the sample under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
