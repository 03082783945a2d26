export {
  NATS_CREDENTIAL_ENV,
  connectWithBackoff,
  inboxPrefixFor,
  natsCredentialsFromEnv,
  type ConnectOptions,
  type NatsCredentials,
  type NatsLog,
} from './connect.js';
export {
  StreamConflictError,
  consumerConfig,
  ensureConsumer,
  ensureStream,
  ensureTopology,
  streamConfig,
  type EnsureOutcome,
} from './topology.js';
export { STREAM_LIMIT_ENV, StreamLimitError, streamLimitsFromEnv } from './stream-limits-from-env.js';
