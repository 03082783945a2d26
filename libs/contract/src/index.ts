// The main entry: everything in `./light.ts`, plus the TypeBox schemas of every message and their validation, for
// the processes that receive messages (ingest, alerter, tail, api) and for tests.
export { HOST_ID_MAX_LENGTH, InvalidHostIdError, assertHostId, hostIdFromHostname, hostIdProblem } from './host-id.js';
export {
  MESSAGE_KINDS,
  SUBJECT_PREFIX,
  hostSubjects,
  isMessageKind,
  parseSubject,
  subjectFor,
  type MessageKind,
  type ParsedSubject,
} from './subjects.js';
export { Count, EventId, HostId, Percent, Timestamp } from './schemas/common.js';
export { StatsMessageV1 } from './schemas/stats.js';
export { SshEvent, SshMessageV1 } from './schemas/ssh.js';
export { SecurityEvent, EventMessageV1 } from './schemas/event.js';
export { SECURITY_EVENT_TYPES, SSH_EVENT_KINDS } from './vocabulary.js';
export { MESSAGE_SCHEMAS, validateMessage, type HostMessage, type ValidationResult } from './messages.js';
export {
  CONSUMER_NAMES,
  CONSUMER_SPECS,
  DEFAULT_STREAM_LIMITS,
  MAX_BODY_BYTES,
  MAX_MESSAGE_BYTES,
  STREAM_NAME,
  streamSpec,
  type ConsumerName,
  type ConsumerSpec,
  type StreamLimits,
  type StreamSpec,
} from './stream.js';
