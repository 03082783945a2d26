/**
 * Thrown when configuration is invalid; {@link ConfigError.problems} lists every problem found,
 * and the message lists them all, so one run tells an operator everything to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Each problem as one sentence, such as `NATS_URL is required`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(`invalid configuration: ${problems.join('; ')}`, options);
    this.problems = Object.freeze([...problems]);
  }
}
