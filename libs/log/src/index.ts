export type { DestinationStream, Logger } from 'pino';
export { createLogger, type LoggerOptions } from './create-logger.js';
export { LOG_LEVELS, isLogLevel, type LogLevel } from './log-level.js';
export { REDACTED, censorUrl, redactSecrets } from './redact-secrets.js';
export { URL_PASSWORD_MASK, redactUrl } from './redact-url.js';
export { BINDING_KEYS, isSecretKey, isUrlKey, keyKind, type KeyKind } from './secret-key.js';
