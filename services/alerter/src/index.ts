export { DEFAULT_MAX_RULES_BYTES, parseRules, type ParseRulesOptions, type ParsedRules } from './rules/parse-rules.js';
export { readRules, type ReadRulesOptions } from './rules/read-rules.js';
export { RulesError, formatRulesProblem, type RulesProblem } from './rules/rules-error.js';
export {
  CLIENT_ALERT_TYPES,
  FLEET_ALERT_TYPES,
  type AlertRule,
  type AlertType,
  type Client,
  type ClientAlertType,
  type Fleet,
  type Rules,
  type RulesPosition,
  type RulesWarning,
  type Silence,
} from './rules/rules.js';
export { systemClock, type Clock } from './clock.js';
export { silentLog, type AlerterLog } from './log.js';
export { AlerterMetrics } from './ops/alerter-metrics.js';
export { EmailNotifier, type OutgoingMail } from './notify/email/email-notifier.js';
export { longestAttemptMs, type EmailSettings } from './notify/email/email-settings.js';
export { SendError } from './notify/email/send-error.js';
export { enqueueMail, type QueuedMail } from './outbox/enqueue-mail.js';
export { mailMessageId } from './outbox/mail-message-id.js';
export { OutboxSender, type MailSender, type OutboxSenderOptions } from './outbox/outbox-sender.js';
export { buildAlerter, startAlerter, type AlerterOptions, type AlerterParts } from './app.js';
export { main } from './main.js';
export { ALERTER_NODE_FLAGS } from './node-flags.js';
export { ALERTER_CONFIG, EMAIL_CONFIG, loadAlerterConfig, type AlerterConfig } from './config/alerter-config.js';
export { PgKeyRegistry } from './consume/pg-key-registry.js';
export { connectDatabase } from './store/connect-database.js';
export { StreamConsumer, type StreamConsumerOptions } from './consume/stream-consumer.js';
export { StreamReader, type NatsConnection, type StreamReaderOptions } from './consume/stream-reader.js';
export { MainThreadLink, RecordingFailedError, type LinkPort } from './consume/main-thread-link.js';
export { decodeOpenedItems, encodeOpenedItems } from './consume/opened-items.js';
export type { FromStreamWorker, StreamWorkerData, ThreadLogLevel, ToStreamWorker } from './consume/worker-protocol.js';
export { BatchPipeline, type BatchPipelineOptions, type BatchRecorder, type PipelineMessage, type PipelineMetrics, type PreparingRecorder } from './consume/batch-pipeline.js';
export { ReceivedMessage, headerBlockOf, type AckPublisher } from './consume/received-message.js';
export { NO_ENVELOPE_HEADERS, envelopeHeadersOf, type EnvelopeHeaderValues } from './consume/envelope-header-block.js';
export { openBatch, type OpenBatchOptions, type OpenedBatch, type RefusedMessage, type SealedStreamMessage } from './consume/open-batch.js';
export { stepAlert, type AlertSeriesState, type AlertStep, type AlertTiming, type AlertTransition, type Observation } from './evaluate/alert-step.js';
export { AlertBook, seriesKey, type AlertOwner, type SeriesObservation, type StoredAlertRow } from './evaluate/alert-book.js';
export { EvaluationTicker } from './evaluate/evaluation-ticker.js';
export { Evaluator, type EvaluatorOptions, type HostMessageItem } from './evaluate/evaluator.js';
export { ruleSample, sampledStats, statsObservations, type LabelledValue, type RuleSample, type SampledStats } from './evaluate/stats-observations.js';
export { decodeWaitingSamples, encodeWaitingSamples, positionalSample, ruleSampleOf, ruleSampleOfText, sampleNames, sampleText, type PositionalSample, type WaitingSample } from './evaluate/waiting-samples.js';
export { alertMail, type AlertMailInput } from './notify/alert-mail.js';
export { securityMail, type SecurityMailEvent } from './notify/security-mail.js';
export { clientsForHost, recipientsForHost } from './rules/clients-for-host.js';
export { formatDurationText, parseDurationText } from './rules/duration-text.js';
export { RulesWatcher, type RulesWatcherOptions } from './rules/rules-watcher.js';
export { isSilenced } from './silence/is-silenced.js';
