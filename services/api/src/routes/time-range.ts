import { ClientError } from '../http/client-error.js';

/** The longest range any query accepts. */
const MAX_RANGE_MS = 400 * 86_400_000;

/**
 * The `[from, to)` a request asks for: `to` defaults to now and `from` to `defaultSpanMs` before
 * `to`; `from` must come before `to`, and the range may not exceed 400 days.
 */
export function resolveRange(
  query: { from?: string; to?: string },
  now: Date,
  defaultSpanMs: number,
): { from: Date; to: Date } {
  const to = query.to === undefined ? now : new Date(query.to);
  const from = query.from === undefined ? new Date(to.getTime() - defaultSpanMs) : new Date(query.from);
  if (from.getTime() >= to.getTime())
    throw new ClientError(400, 'must be before querystring.to', 'querystring.from');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw new ClientError(400, 'is more than 400 days before querystring.to', 'querystring.from');
  return { from, to };
}
