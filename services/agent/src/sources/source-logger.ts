/** The part of a pino logger the sources use to report what they could not do without stopping. */
export interface SourceLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** A logger that drops everything, for callers that pass none. */
export const SILENT_LOGGER: SourceLogger = { warn: () => undefined, info: () => undefined };
