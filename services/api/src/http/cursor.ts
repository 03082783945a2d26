import { ClientError } from './client-error.js';

const badCursor = (): ClientError =>
  new ClientError(400, 'is not a cursor this API returned', 'querystring.cursor');

/** Encodes the sort key of the last item of a page as an opaque cursor for the next page. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor} with `arity` parts; a forged or garbled one is a 400. */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (
    !Array.isArray(key) ||
    key.length !== arity ||
    !key.every((k) => typeof k === 'string' || typeof k === 'number')
  ) {
    throw badCursor();
  }
  return key as (string | number)[];
}
