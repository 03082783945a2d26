export { ConfigError } from './config-error.js';
export type { ConfigField, DecodeContext, Decoded, FieldKind } from './config-field.js';
export { configTable, type ConfigTableOptions } from './config-table.js';
export {
  defineConfig,
  type Config,
  type ConfigFields,
  type ConfigOf,
  type ConfigSpec,
} from './define-config.js';
export { formatDuration, parseDuration } from './duration.js';
export {
  field,
  type DurationOptions,
  type EnumOptions,
  type FieldBaseOptions,
  type FieldOptions,
  type FieldValue,
  type IntegerOptions,
  type Presence,
  type UrlOptions,
} from './field.js';
export { loadConfig, type LoadConfigOptions } from './load-config.js';
export { parseConfig, type ConfigEnv, type ConfigInput } from './parse-config.js';
export { REDACTED, redactConfig } from './redact-config.js';
