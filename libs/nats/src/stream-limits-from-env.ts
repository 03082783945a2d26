import type { StreamLimits } from '@hostwatch/contract';

/** The environment variables {@link streamLimitsFromEnv} reads, by limit. */
export const STREAM_LIMIT_ENV = {
  replicas: 'STREAM_REPLICAS',
  maxBytes: 'STREAM_MAX_BYTES',
  maxAgeMs: 'STREAM_MAX_AGE_MS',
  duplicateWindowMs: 'STREAM_DUPLICATE_WINDOW_MS',
} as const;

/** A stream limit in the environment is not a whole number in its range. */
export class StreamLimitError extends Error {
  override readonly name = 'StreamLimitError';
}

/**
 * The stream limits the operator set in the environment (`STREAM_REPLICAS` 1–5, `STREAM_MAX_BYTES`,
 * `STREAM_MAX_AGE_MS`, `STREAM_DUPLICATE_WINDOW_MS`); each service that provisions the stream reads
 * the same ones, so none of them sets it back to another's settings. Unset ones keep the defaults.
 */
export function streamLimitsFromEnv(env: NodeJS.ProcessEnv): StreamLimits {
  const limits: Record<string, number> = {};
  const problems: string[] = [];
  for (const [limit, name] of Object.entries(STREAM_LIMIT_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    const max = limit === 'replicas' ? 5 : Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      problems.push(`${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(raw)}`);
    } else {
      limits[limit] = value;
    }
  }
  if (problems.length > 0) throw new StreamLimitError(problems.join('; '));
  return limits;
}
