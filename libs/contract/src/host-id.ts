/** Longest host id accepted: it is one NATS subject token and a key in every table. */
export const HOST_ID_MAX_LENGTH = 64;

const ALLOWED = /^[A-Za-z0-9_-]+$/;

/**
 * Returns why `id` cannot be a host id, or undefined when it can. A host id is one token of the
 * subject `hostwatch.<hostId>.<kind>`, so it may not contain the separator or wildcards.
 */
export function hostIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'host id is empty';
  if (id.length > HOST_ID_MAX_LENGTH) {
    return `host id is ${id.length} characters long; at most ${HOST_ID_MAX_LENGTH} are allowed`;
  }
  if (ALLOWED.test(id)) return undefined;
  const bad = [...id].find((c) => !/[A-Za-z0-9_-]/.test(c)) ?? '';
  const shown = JSON.stringify(bad);
  if (bad === '.') return `host id ${JSON.stringify(id)} contains '.', which separates NATS subject tokens`;
  if (bad === '*' || bad === '>') {
    return `host id ${JSON.stringify(id)} contains ${shown}, a NATS subject wildcard`;
  }
  if (/\s/.test(bad)) return `host id ${JSON.stringify(id)} contains white space, which NATS subjects cannot carry`;
  return `host id ${JSON.stringify(id)} contains ${shown}; use letters, digits, '-' and '_' only`;
}

/** Thrown when a host id breaks the rules of {@link hostIdProblem}. */
export class InvalidHostIdError extends Error {
  override readonly name = 'InvalidHostIdError';
}

/** Returns `id` unchanged when it is a valid host id, else throws {@link InvalidHostIdError}. */
export function assertHostId(id: string): string {
  const problem = hostIdProblem(id);
  if (problem) throw new InvalidHostIdError(problem);
  return id;
}

/** Turns a machine's host name into a valid host id: first label, invalid characters replaced. */
export function hostIdFromHostname(hostname: string): string {
  const first = hostname.split('.')[0] ?? '';
  const cleaned = first.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, HOST_ID_MAX_LENGTH);
  return cleaned.length > 0 ? cleaned : 'host';
}
