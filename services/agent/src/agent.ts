import { join } from 'node:path';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { AuthLogScanner, SessionTracker } from '@hostwatch/auth-log';
import { assertHostId } from '@hostwatch/contract/light';
import { ENROLLMENT_HEADERS, enrollmentToken, readKeyFile, readPublicKeyFile, Sealer } from '@hostwatch/envelope';
import type { AgentConfig } from './config/agent-config.js';
import { Delivery, type PublishFn } from './delivery/delivery.js';
import { jetStreamPublisher } from './delivery/jetstream-publisher.js';
import { Spool } from './delivery/spool.js';
import { AuthLogPipeline, type LogSource, type PipelineLog, type SourcePosition } from './pipeline/auth-log-pipeline.js';
import { StatsPipeline } from './pipeline/stats-pipeline.js';
import { StatsCollector } from './stats/stats-collector.js';
import { JournalSource } from './sources/journal-source.js';
import type { JournalPosition } from './sources/journal-record.js';
import type { LinePosition } from './sources/line-position.js';
import type { AuthLogSource } from './sources/open-auth-log-sources.js';

/** The part of a pino logger the agent uses: leveled calls and children per component. */
export interface AgentLog extends PipelineLog {
  child(bindings: object): AgentLog;
}

/** The broker is not connected yet: the message goes to the spool. */
export class NotConnectedError extends Error {
  override readonly name = 'NotConnectedError';
}

/** What the agent's pieces share: the broker client once connected, and the scanners whose drift the stats report. */
interface SharedState {
  js: JetStreamClient | undefined;
  readonly scanners: AuthLogScanner[];
}

/** Options of {@link Agent.create}. */
export interface AgentOptions {
  readonly config: AgentConfig;
  readonly log: AgentLog;
  readonly version: string;
  /** The auth log sources to read (built from the configuration by `openAuthLogSources`). */
  readonly sources: readonly AuthLogSource[];
}

/**
 * One host's agent: samples statistics every interval, reads the auth logs through the one
 * parser, seals everything for the collector and delivers it through the spool. It starts even
 * while NATS is unreachable (messages wait in the spool) and connects when it can.
 */
export class Agent {
  private readonly pipelines: { run(): Promise<void>; stop(): void }[] = [];
  private runs: Promise<void>[] = [];

  private constructor(
    private readonly options: AgentOptions,
    private readonly shared: SharedState,
    readonly hostId: string,
    private readonly sealer: Sealer,
    private readonly spool: Spool,
    readonly delivery: Delivery,
    private readonly stats: StatsPipeline | undefined,
  ) {}

  /** Reads the keys, opens the spool and builds the pipelines; nothing runs until {@link start}. */
  static async create(options: AgentOptions): Promise<Agent> {
    const { config, log } = options;
    const hostKey = await readKeyFile(config.hostKeyFile, 'host');
    const hostId = assertHostId(config.hostId ?? hostKey.hostId);
    if (hostKey.hostId !== hostId) {
      throw new Error(`${config.hostKeyFile} is the key of host ${hostKey.hostId}, not of ${hostId}: set HOST_ID or use this host's key`);
    }
    const collectorKey = await readPublicKeyFile(config.collectorPublicKeyFile, 'collector');
    const sealer = new Sealer(hostKey, collectorKey);
    const spool = await Spool.open(join(config.stateDir, 'spool'), { maxBytes: config.spoolMaxBytes });
    const shared: SharedState = { js: undefined, scanners: [] };
    const publish: PublishFn = async (entry) => {
      if (!shared.js) throw new NotConnectedError('not connected to NATS yet');
      await jetStreamPublisher(shared.js)(entry);
    };
    // Every message carries the host's public key (and the enrollment token, when the fleet uses
    // one), so the collector can record or approve a host it has not seen yet.
    const headers: Record<string, string> = {
      [ENROLLMENT_HEADERS.publicKey]: Buffer.from(hostKey.publicKey).toString('base64url'),
    };
    if (config.enrollmentToken) {
      headers[ENROLLMENT_HEADERS.token] = enrollmentToken(config.enrollmentToken, hostId, hostKey.keyId);
    }
    const delivery = new Delivery({ publish, spool, headers, log: log.child({ component: 'delivery' }) });
    const stats = config.exitAtEnd
      ? undefined
      : new StatsPipeline({
          hostId,
          collector: new StatsCollector({
            hostId,
            intervalMs: config.statsIntervalMs,
            procRoot: config.procRoot,
            sysRoot: config.sysRoot,
            rootPath: config.rootPath,
          }),
          sealer,
          delivery,
          log: log.child({ component: 'stats' }),
          version: options.version,
          scanners: () => shared.scanners,
          intervalMs: config.statsIntervalMs,
        });
    const agent = new Agent(options, shared, hostId, sealer, spool, delivery, stats);
    for (const source of options.sources) agent.addSource(source);
    return agent;
  }

  private addSource(source: AuthLogSource): void {
    if (source instanceof JournalSource) this.addPipeline<JournalPosition>(source);
    else this.addPipeline<LinePosition>(source);
  }

  private addPipeline<P extends SourcePosition>(source: LogSource<P>): void {
    const scanner = new AuthLogScanner();
    this.shared.scanners.push(scanner);
    this.pipelines.push(
      new AuthLogPipeline({
        hostId: this.hostId,
        source,
        scanner,
        sessions: new SessionTracker(),
        sealer: this.sealer,
        delivery: this.delivery,
        log: this.options.log.child({ component: 'auth-log' }),
        batchSize: this.options.config.sshBatchSize,
        batchWaitMs: this.options.config.sshBatchWaitMs,
      }),
    );
  }

  /** Uses `nc` to publish from now on, and replays the spool at once. */
  connected(nc: NatsConnection): void {
    this.shared.js = jetstream(nc);
    this.delivery.retryNow();
  }

  /** Starts the stats loop and every log pipeline. */
  start(): void {
    this.stats?.start();
    this.runs = this.pipelines.map((p) =>
      p.run().catch((err: unknown) => this.options.log.error({ err }, 'auth log pipeline stopped')),
    );
  }

  /** Resolves when every log pipeline has read its source to the end (with `exitAtEnd`) and delivery is flushed. */
  async finished(): Promise<void> {
    await Promise.all(this.runs);
    await this.delivery.flushed();
  }

  /** Stops reading and sampling; what is read but not acknowledged is read again next time. */
  async stop(): Promise<void> {
    for (const pipeline of this.pipelines) pipeline.stop();
    await this.stats?.stop();
    await Promise.all(this.runs);
    await this.delivery.stop();
    await this.spool.close();
  }
}
