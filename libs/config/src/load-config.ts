import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import type { Config, ConfigFields, ConfigSpec } from './define-config.js';
import { parseConfig, type ConfigEnv } from './parse-config.js';

/** Where {@link loadConfig} reads from. */
export interface LoadConfigOptions {
  /** Environment variables; `process.env` when omitted. */
  readonly env?: ConfigEnv | undefined;
  /** Path of a JSON config file whose values the environment overrides; it must exist when given. */
  readonly file?: string | undefined;
  /** Directory relative paths resolve against; `process.cwd()` when omitted. */
  readonly cwd?: string | undefined;
}

/**
 * Loads a service's configuration once at start: reads the optional JSON file, then validates
 * everything with {@link parseConfig}; throws a {@link ConfigError} listing every problem.
 */
export function loadConfig<F extends ConfigFields>(
  spec: ConfigSpec<F>,
  options: LoadConfigOptions = {},
): Config<F> {
  const env = options.env ?? process.env;
  if (options.file === undefined) return parseConfig(spec, { env, cwd: options.cwd });
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Without the file, "required" problems for what it would set would mislead; report the read alone.
    throw new ConfigError([`${options.file}: cannot read: ${reason}`], { cause: error });
  }
  return parseConfig(spec, { env, file: { name: options.file, text }, cwd: options.cwd });
}
