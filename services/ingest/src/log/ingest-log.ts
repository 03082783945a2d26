/** The part of a pino-like logger ingest writes to: structured fields first, then the message. */
export interface IngestLog {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  child(fields: object): IngestLog;
}

/** A logger that drops everything, for tests that assert on rows rather than log lines. */
export const silentLog: IngestLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLog,
};
