/** The logging a lifecycle needs: a pino logger (or a child of one) fits as it is. */
export interface LifecycleLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
