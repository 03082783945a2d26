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
