import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A host id as the contract defines it: one subject token of letters, digits, `-` and `_`. */
export const HostId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: 'Host id (letters, digits, - and _, at most 64)',
});

/** Path parameters of a route about one host. */
export const HostParams = Type.Object({ hostId: HostId }, { additionalProperties: false });

/** An ISO-8601 time with a zone. */
export const DateTime = Type.String({
  format: 'date-time',
  description: 'ISO-8601 time with zone, e.g. 2026-11-23T10:00:00Z',
});

/** A calendar day (UTC), YYYY-MM-DD. */
export const Day = Type.String({ format: 'date', description: 'UTC day, YYYY-MM-DD' });

/** Page size of a listing. */
export const Limit = Type.Integer({
  minimum: 1,
  maximum: 1000,
  default: 100,
  description: 'Most items in one page',
});

/** The opaque cursor a previous page returned as `nextCursor`. */
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 512,
  description: 'nextCursor of the previous page',
});

/**
 * A nullable value: the schema's `type` widened with `null` (OpenAPI 3.1). A type list rather than
 * `anyOf`, because fast-json-stringify serializes `anyOf` by validating each branch per value.
 */
export const Nullable = <T extends TSchema>(schema: T): TUnsafe<Static<T> | null> => {
  const { type } = schema as { type?: unknown };
  if (typeof type !== 'string') throw new TypeError('Nullable needs a schema with one type');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
};

/** A page of `item`s with the cursor of the next page (null on the last). */
export const Page = <T extends TSchema>(item: T, title: string) =>
  Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` to get the next page' })),
    },
    { additionalProperties: false, title },
  );

/** A string that is one of `values`, as a plain JSON Schema `enum` (one clear error when it is not). */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
