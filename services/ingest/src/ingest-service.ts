import { CONSUMER_SPECS, STREAM_NAME, streamSpec, type StreamLimits } from '@hostwatch/contract';
import { readKeyFile, type CollectorKeyPair } from '@hostwatch/envelope';
import { connectWithBackoff, ensureConsumer, ensureStream, type NatsCredentials } from '@hostwatch/nats';
import { createMetricsRegistry, startOpsServer, type Registry } from '@hostwatch/ops';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import type { IngestConfig } from './config/ingest-config.js';
import { IngestConsumer } from './consume/ingest-consumer.js';
import type { IngestLog } from './log/ingest-log.js';
import { Maintenance } from './maintenance/maintenance.js';
import { IngestMetrics } from './ops/ingest-metrics.js';
import { MaxDeliveriesCapture } from './quarantine/max-deliveries-capture.js';
import { BatchStore } from './store/batch-store.js';
import { PartitionManager } from './store/partition-manager.js';
import { MessageVerifier } from './verify/message-verifier.js';
import { PgKeyRegistry } from './verify/pg-key-registry.js';

/** A running ingest service. */
export interface IngestService {
  /** Base URL of /healthz, /readyz and /metrics. */
  readonly opsUrl: string;
  readonly metrics: Registry;
  /** Stops in reverse order of start: ops, consumer (finishing its batch), capture, maintenance, NATS, pool. */
  stop(): Promise<void>;
}

/** What {@link startIngestService} takes beside the configuration. */
export interface IngestServiceDeps {
  readonly log: IngestLog;
  /** The collector keys (default: read from `config.collectorKeyFile`). */
  readonly collectorKeys?: CollectorKeyPair | readonly CollectorKeyPair[];
  /** Replica name shown in NATS and PostgreSQL. */
  readonly name?: string | undefined;
  /** How ingest authenticates to NATS (nkey seed file, TLS files); none when omitted. */
  readonly natsCredentials?: NatsCredentials | undefined;
  /** The operator's stream limits (`STREAM_*`), the same every service provisions with. */
  readonly streamLimits?: StreamLimits | undefined;
}

/**
 * Builds and starts ingest: the PostgreSQL pool, the NATS connection with the stream and the
 * `ingest` consumer provisioned, the verifier, the batch store, the consumer loop, the
 * max-deliveries capture, scheduled maintenance and the operations endpoint.
 */
export async function startIngestService(
  config: IngestConfig,
  deps: IngestServiceDeps,
): Promise<IngestService> {
  const { log } = deps;
  const name = deps.name ?? 'hostwatch-ingest';
  const collectorKeys = deps.collectorKeys ?? (await readKeyFile(config.collectorKeyFile, 'collector'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => log.error({ err }, 'stopping failed'));
    stops.length = 0;
  };
  try {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.dbPoolSize,
      application_name: name,
      connectionTimeoutMillis: 5000,
    });
    // An idle client's error (server restart) must not end the process; the next query reconnects.
    pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL connection failed'));
    // A connection that breaks while checked out reports to its query too; this keeps the
    // client's own error event from ending the process.
    pool.on('connect', (client) =>
      client.on('error', (err) => log.debug({ err }, 'PostgreSQL connection failed')),
    );
    stops.push(() => pool.end());

    const nc = await connectWithBackoff({
      servers: config.natsUrl,
      name,
      log: log.child({ component: 'nats' }),
      ...(deps.natsCredentials ? { credentials: deps.natsCredentials } : {}),
    });
    stops.push(() => nc.drain().catch(() => nc.close()));
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, streamSpec(deps.streamLimits));
    const spec = {
      ...CONSUMER_SPECS.ingest,
      ackWaitMs: config.ackWaitMs,
      maxDeliver: config.maxDeliver,
      maxAckPending: config.maxAckPending,
    };
    await ensureConsumer(jsm, STREAM_NAME, spec);
    const consumerApi = await jetstream(nc).consumers.get(STREAM_NAME, spec.durableName);

    const registry = createMetricsRegistry('ingest');
    const metrics = new IngestMetrics(registry, async () => {
      const info = await jsm.consumers.info(STREAM_NAME, spec.durableName);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    });

    const partitions = new PartitionManager(pool);
    const maintenance = new Maintenance(pool, partitions, {
      retentionDays: config.retentionDays,
      rollupRetentionDays: config.rollupRetentionDays,
      quarantineRetentionDays: config.quarantineRetentionDays,
      partitionsAheadDays: config.partitionsAheadDays,
      log: log.child({ component: 'maintenance' }),
    });
    maintenance.start(config.maintenanceIntervalMs);
    stops.push(() => maintenance.stop());

    const capture = new MaxDeliveriesCapture({
      nc,
      jsm,
      pool,
      log: log.child({ component: 'max-deliveries-capture' }),
      metrics,
      quarantineMaxBytes: config.quarantineMaxBytes,
      consumer: spec.durableName,
    });
    capture.start();
    stops.push(() => capture.stop());

    const verifier = new MessageVerifier({
      collectorKeys,
      registry: new PgKeyRegistry(pool, { cacheMs: config.keyCacheMs }),
      pool,
      enrollmentSecret: config.enrollmentToken,
      maxFutureMs: config.partitionsAheadDays * 86_400_000,
    });
    const store = new BatchStore(pool, partitions, {
      retentionDays: config.retentionDays,
      quarantineMaxBytes: config.quarantineMaxBytes,
      crashAt: config.testCrashAt,
    });
    const consumer = new IngestConsumer({
      consumer: consumerApi,
      verifier,
      store,
      metrics,
      log: log.child({ component: 'consumer' }),
      batchSize: config.batchSize,
      batchWaitMs: config.batchWaitMs,
      writers: config.writers,
      ackWaitMs: config.ackWaitMs,
      crashAt: config.testCrashAt,
    });
    consumer.start();
    stops.push(() => consumer.stop());

    const ops = await startOpsServer({
      port: config.healthPort,
      registry,
      checks: {
        database: async () => {
          await pool.query('SELECT 1');
        },
        nats: async () => {
          if (nc.isClosed()) throw new Error('NATS connection is closed');
          await nc.flush();
        },
        consumer: async () => {
          if (!consumer.databaseUp)
            throw new Error(`waiting for PostgreSQL: ${consumer.lastError ?? 'unreachable'}`);
        },
      },
    });
    stops.push(() => ops.close());
    log.info({ ops: ops.url, batchSize: config.batchSize, ackWaitMs: config.ackWaitMs }, 'ingest started');
    return { opsUrl: ops.url, metrics: registry, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
