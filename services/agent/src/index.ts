export { Agent, NotConnectedError, type AgentLog, type AgentOptions } from './agent.js';
export { agentConfigSpec, type AgentConfig } from './config/agent-config.js';
export { Delivery, type DeliveryHealth, type DeliveryLog, type DeliveryOptions, type PublishFn } from './delivery/delivery.js';
export { PublishTimeoutError, jetStreamPublisher } from './delivery/jetstream-publisher.js';
export { Spool, SpoolFullError, type SpoolEntry, type SpoolOptions } from './delivery/spool.js';
export { main } from './main.js';
export {
  AuthLogPipeline,
  type AuthLogPipelineOptions,
  type LogSource,
  type PipelineLog,
  type SourceLine,
  type SourcePosition,
} from './pipeline/auth-log-pipeline.js';
export { StatsPipeline, type StatsPipelineOptions } from './pipeline/stats-pipeline.js';
export { openAuthLogSources, type AuthLogSource } from './sources/open-auth-log-sources.js';
export { DEFAULT_AUTH_LOG_CANDIDATES, detectAuthLog, type AuthLogChoice, type DetectAuthLogOptions } from './sources/detect-auth-log.js';
export { FileTailer, type FileTailerOptions } from './sources/file-tailer.js';
export { JournalError } from './sources/journal-error.js';
export { AUTH_JOURNAL_MATCHES, JournalSource, type JournalSourceOptions } from './sources/journal-source.js';
export { NoAuthLogError } from './sources/no-auth-log-error.js';
export { PositionFileError } from './sources/position-file-error.js';
export { PositionStore } from './sources/position-store.js';
export { AGENT_VERSION } from './version.js';
export { AGENT_V8_FLAGS, applyAgentV8Flags } from './v8-flags.js';
export { hostAddresses, MAX_ADDRESSES, type InterfaceAddresses } from './stats/addresses.js';
export { bootIdFromBootTime, parseBootId, readBootId } from './stats/boot-id.js';
export { cpuTimesFromOs } from './stats/cpu-times-from-os.js';
export { parseCpuTimes, readCpuTimes, type CpuTimes, type CpuTimesSample } from './stats/cpu-times.js';
export { CpuUsage, type CpuStats } from './stats/cpu-usage.js';
export {
  diskUsage,
  MAX_DISKS,
  readDisks,
  type DiskReading,
  type DiskStats,
  type FilesystemBlocks,
  type MountFailure,
} from './stats/disks.js';
export type { HostOs } from './stats/host-os.js';
export { parseLoadAverage, readLoadAverage, type LoadAverage } from './stats/load-average.js';
export { parseMemory, readMemory, type MemoryStats } from './stats/memory.js';
export { parseMountInfo, readMountInfo, unescapeMountField, type MountInfo } from './stats/mount-info.js';
export { MAX_INTERFACES, parseNetwork, readNetwork, type NetworkStats } from './stats/network.js';
export { parseOsName, readOsName } from './stats/os-name.js';
export { percentOf } from './stats/percent.js';
export { PortableSource, type PortableSourceOptions } from './stats/portable-source.js';
export { ProcfsSource, type ProcfsPaths } from './stats/procfs-source.js';
export { parseProcessCount, readProcessCount } from './stats/process-count.js';
export { PSEUDO_FILESYSTEM_TYPES, REMOTE_FILESYSTEM_TYPES, selectRealMounts } from './stats/real-mounts.js';
export {
  DEFAULT_STATS_INTERVAL_MS,
  StatsCollector,
  type CollectorFailure,
  type StatsBody,
  type StatsCollectorName,
  type StatsCollectorOptions,
  type StatsSample,
} from './stats/stats-collector.js';
export type { StatsSource } from './stats/stats-source.js';
export { parseUptime, readUptime } from './stats/uptime.js';
