/** The part of a pino logger the alerter writes to; one child per component. */
export interface AlerterLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  child(bindings: Record<string, unknown>): AlerterLog;
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLog: AlerterLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLog,
};
