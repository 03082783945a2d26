export { INGEST_CONFIG, readIngestConfig, type IngestConfig } from './config/ingest-config.js';
export { runIngest } from './main.js';
export { startIngestService, type IngestService, type IngestServiceDeps } from './ingest-service.js';
export { MessageVerifier, type MessageVerifierOptions } from './verify/message-verifier.js';
export { PgKeyRegistry } from './verify/pg-key-registry.js';
export type { IncomingMessage } from './verify/incoming-message.js';
export {
  QUARANTINE_REASONS,
  type Accepted,
  type Enrollment,
  type Pending,
  type QuarantineReason,
  type Quarantined,
  type Verdict,
} from './verify/verdict.js';
export {
  BatchStore,
  type BatchStoreOptions,
  type StoreBatch,
  type StoreItem,
  type StoreResult,
} from './store/batch-store.js';
export { PARTITIONED_TABLES, PartitionManager, utcDay } from './store/partition-manager.js';
export { DatabaseUnavailableError, isTransientDatabaseError } from './store/database-errors.js';
export { prepareSamples, writeStats, type PreparedSample, type StatsItem } from './store/stats-writer.js';
export { writeLatestStats } from './store/latest-stats-writer.js';
export { writeSshEvents, type SshItem } from './store/ssh-writer.js';
export { writeSecurityEvents, type SecurityEventItem } from './store/security-event-writer.js';
export { writeQuarantine, type QuarantineRecord } from './quarantine/quarantine-writer.js';
export {
  MaxDeliveriesCapture,
  maxDeliveriesSubject,
  type MaxDeliveriesCaptureOptions,
} from './quarantine/max-deliveries-capture.js';
export { IngestConsumer, type IngestConsumerOptions } from './consume/ingest-consumer.js';
export { Maintenance, type MaintenanceOptions, type MaintenanceReport } from './maintenance/maintenance.js';
export { rollupHourlyStats } from './maintenance/hourly-rollup.js';
export {
  FIVE_MINUTES_MS,
  expireFiveMinuteStats,
  rollupFiveMinuteStats,
} from './maintenance/five-minute-rollup.js';
export { IngestMetrics, type ConsumerLag, type MessageOutcome } from './ops/ingest-metrics.js';
export { silentLog, type IngestLog } from './log/ingest-log.js';
export {
  FleetSimulator,
  simulatedHostKeys,
  simulatedStats,
  type FleetSimulatorOptions,
  type SimulationLimits,
  type SimulationReport,
} from './simulate/fleet-simulator.js';
export { registerHosts } from './simulate/register-hosts.js';
