import { redactUrl } from './redact-url.js';
import { keyKind } from './secret-key.js';

/** What a secret value is replaced with. */
export const REDACTED = '[REDACTED]';

const CIRCULAR = '[Circular]';

function isWalkable(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Masks the password of a connection URL held as a string, a URL object, or a list of them. */
export function censorUrl(value: unknown): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (value instanceof URL) return redactUrl(value.href);
  if (Array.isArray(value)) return value.map(censorUrl);
  return undefined;
}

function walk(value: unknown, seen: Map<object, unknown>): unknown {
  if (!isWalkable(value)) return value;
  if (seen.has(value)) return seen.get(value);
  // Until this object is done, reaching it again means a cycle; never hand back the unredacted original.
  seen.set(value, CIRCULAR);
  let result: unknown = value;
  if (Array.isArray(value)) {
    const items: unknown[] = value.map((item: unknown) => walk(item, seen));
    if (items.some((item, index) => item !== value[index])) result = items;
  } else {
    let copy: Record<string, unknown> | undefined;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const inner = record[key];
      const kind = keyKind(key);
      let next: unknown;
      if (kind === 'secret') next = inner === undefined || inner === null || inner === '' ? inner : REDACTED;
      else if (kind === 'url') next = censorUrl(inner) ?? walk(inner, seen);
      else next = walk(inner, seen);
      if (next !== inner) {
        copy ??= { ...record };
        copy[key] = next;
      }
    }
    result = copy ?? value;
  }
  seen.set(value, result);
  return result;
}

/**
 * A copy of a value, safe to log: under any key that names a secret (see `isSecretKey`), at any
 * depth of plain objects and arrays, the value becomes `[REDACTED]`, and connection URLs keep all
 * but their password. Copies only what changes; the original is never modified.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value, new Map()) as T;
}
