export { connectWithBackoff, type ConnectOptions, type NatsLog } from './connect.js';
export {
  StreamConflictError,
  consumerConfig,
  ensureConsumer,
  ensureStream,
  ensureTopology,
  streamConfig,
  type EnsureOutcome,
} from './topology.js';
