import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';
import { LOG_LEVELS, isLogLevel, type LogLevel } from './log-level.js';
import { REDACTED, censorUrl, redactSecrets } from './redact-secrets.js';
import { redactUrl } from './redact-url.js';
import { BINDING_KEYS, isUrlKey } from './secret-key.js';

/** How {@link createLogger} builds the process's logger. */
export interface LoggerOptions {
  /** Service name, on every record as `service`. */
  readonly service: string;
  /** Least severe level logged; `LOG_LEVEL` from `env`, else `info`, when omitted. */
  readonly level?: LogLevel | undefined;
  /** Where JSON lines go; standard output when omitted. */
  readonly destination?: DestinationStream | undefined;
  /** Environment to read `LOG_LEVEL` from; `process.env` when omitted. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** Error messages and stacks often quote the URL that failed; keep its password out of the log. */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(error);
  serialized.message = redactUrl(serialized.message);
  serialized.stack = redactUrl(serialized.stack);
  return serialized;
}

function censorBinding(value: unknown, path: string[]): unknown {
  return isUrlKey(path.at(-1) ?? '') ? (censorUrl(value) ?? REDACTED) : REDACTED;
}

function levelFrom(options: LoggerOptions): LogLevel {
  if (options.level !== undefined) return options.level;
  const fromEnv = (options.env ?? process.env).LOG_LEVEL;
  if (fromEnv === undefined || fromEnv === '') return 'info';
  if (!isLogLevel(fromEnv)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(fromEnv)}`);
  }
  return fromEnv;
}

/**
 * Builds the one pino logger of a process (call it once in `main.ts` and hand out
 * `logger.child({ component })`): JSON lines with `service`, `pid`, `hostname`, an ISO `time`
 * and the level as a word; secrets redacted by key name at any depth (see `redactSecrets`),
 * connection URLs without their password, also in error messages and stacks.
 */
export function createLogger(options: LoggerOptions): Logger {
  const config = {
    level: levelFrom(options),
    base: { service: options.service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
      log: (record: Record<string, unknown>) => redactSecrets(record),
    },
    serializers: { err: serializeError },
    // Pino's wildcard paths cost ~100x in throughput, so records are walked by redactSecrets;
    // child bindings skip that formatter and get these exact top-level paths instead.
    redact: { paths: [...BINDING_KEYS], censor: censorBinding },
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}
