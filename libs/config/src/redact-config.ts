import type { Config, ConfigFields, ConfigSpec } from './define-config.js';

/** What {@link redactConfig} puts in place of a secret value. */
export const REDACTED = '[REDACTED]';

/**
 * A copy of a loaded configuration that is safe to log: every field declared `secret` that has
 * a value becomes `[REDACTED]`, whatever its property is called.
 */
export function redactConfig<F extends ConfigFields>(
  spec: ConfigSpec<F>,
  config: Config<F>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    const value: unknown = (config as Readonly<Record<string, unknown>>)[name];
    copy[name] = field.secret && value !== undefined ? REDACTED : value;
  }
  return copy;
}
