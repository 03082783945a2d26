// `@hostwatch/contract/light`: subjects, host ids, the vocabularies, the stream and the message types, without the
// schema library, so a process that only sends (the agent, and the libraries it loads) does not load TypeBox. The
// main entry has all of this too, plus the schemas and validateMessage.
export {
  HOST_ID_MAX_LENGTH,
  InvalidHostIdError,
  assertHostId,
  hostIdFromHostname,
  hostIdProblem,
} from './host-id.js';
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
export { SECURITY_EVENT_TYPES, SSH_EVENT_KINDS } from './vocabulary.js';
export type { StatsMessageV1 } from './schemas/stats.js';
export type { SshEvent, SshMessageV1 } from './schemas/ssh.js';
export type { SecurityEvent, EventMessageV1 } from './schemas/event.js';
export type { HostMessage, ValidationResult } from './messages.js';
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
