/** PostgreSQL could not be reached or failed in a way a retry can cure; nothing was committed. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Whether `err` is a failure a retry can cure: no connection, a server shutting down or starting,
 * too many connections, a serialization failure or deadlock. Anything else is about the data.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // 08: connection exception; 53: insufficient resources; 57P: operator intervention (shutdown);
    // 40001/40P01: serialization failure and deadlock, cured by running again.
    if (/^(08|53|57P)/.test(code) || code === '40001' || code === '40P01') return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Connection refused/i.test(
    err.message,
  );
}
