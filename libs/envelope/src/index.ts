export {
  EnvelopeError,
  HostMismatchError,
  MalformedError,
  PendingKeyError,
  RevokedKeyError,
  SubjectMismatchError,
  TamperedError,
  TooLargeError,
  UnknownKeyError,
  type EnvelopeErrorContext,
  type EnvelopeErrorReason,
} from './envelope-error.js';
export {
  ENVELOPE_OVERHEAD,
  ENVELOPE_VERSION,
  MAX_SEALED_BYTES,
  NONCE_BYTES,
  TAG_BYTES,
} from './envelope-format.js';
export { ENVELOPE_HEADERS, type HeaderSource } from './envelope-headers.js';
export { KEY_ID_LENGTH, isKeyId, keyIdOf } from './key-id.js';
export {
  generateCollectorKeyPair,
  generateHostKeyPair,
  publicKeyInfo,
  type CollectorKeyPair,
  type CollectorPublicKey,
  type HostKeyPair,
  type HostPublicKey,
  type KeyPair,
  type PublicKeyInfo,
} from './key-pair.js';
export { InsecureKeyFileError, KeyFileError, KeyFileExistsError } from './key-file-error.js';
export { formatKeyFile, formatPublicKeyFile, parseKeyFile, parsePublicKeyFile } from './key-file-format.js';
export {
  readKeyFile,
  readPublicKeyFile,
  writeKeyFile,
  writePublicKeyFile,
  type WriteKeyFileOptions,
} from './key-file.js';
export type { KeyRegistry, KeyStatus, RegisteredKey } from './key-registry.js';
export { MemoryKeyRegistry } from './memory-key-registry.js';
export {
  MESSAGE_ID_MAX_LENGTH,
  logMessageId,
  logSourceFingerprint,
  messageIdProblem,
  statsMessageId,
  type LogPosition,
  type StatsSample,
} from './message-id.js';
export { Sealer, type SealedMessage } from './sealer.js';
export { Opener, type OpenedMessage, type OpenerOptions } from './opener.js';
export { ENROLLMENT_HEADERS, enrollmentToken, isValidEnrollmentToken } from './enrollment-token.js';
