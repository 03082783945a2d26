import { Type } from '@sinclair/typebox';

/** An ISO-8601 timestamp with a zone offset or `Z`. */
export const Timestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
  description: 'ISO-8601 time with offset',
});

/** A host id as in {@link hostIdProblem}. */
export const HostId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'host id' });

/** A deterministic id of one event, unique per host: the database key that makes re-delivery a no-op. */
export const EventId = Type.String({ minLength: 1, maxLength: 200, description: 'deterministic event id' });

/** A percentage from 0 to 100. */
export const Percent = Type.Number({ minimum: 0, maximum: 100 });

/** A non-negative whole number. */
export const Count = Type.Integer({ minimum: 0 });
