import { Type, type Static } from '@sinclair/typebox';

/** The body of every error response: the HTTP status, its name, what went wrong and, for 400, which fields. */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
    error: Type.String({ description: 'HTTP status text, e.g. Bad Request' }),
    message: Type.String({ description: 'What went wrong, for a person' }),
    fields: Type.Optional(
      Type.Array(
        Type.Object(
          {
            field: Type.String({ description: 'Where, e.g. querystring.limit or body.endsAt' }),
            problem: Type.String({ description: 'Why it was refused' }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { $id: 'ErrorResponse', additionalProperties: false, title: 'ErrorResponse' },
);

/** An error body as the handlers build it. */
export type ErrorBody = Static<typeof ErrorResponse>;

const described = (description: string) => Type.Ref(ErrorResponse, { description });

const ERROR_DESCRIPTIONS = {
  400: 'A parameter or the body is invalid; `fields` names each one',
  401: 'No bearer token, or not a known one',
  403: 'The token may not do this (admin scope needed)',
  404: 'No such resource',
  409: 'The resource is not in a state that allows this',
  429: 'Too many requests; retry after the `retry-after` header',
  500: 'The server failed; details are in its log, never in the response',
} as const;

/** Error status codes a route may answer with. */
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Response schemas for the error statuses of an authenticated route, plus any `extra` ones. */
export function errorResponses(
  ...extra: readonly ErrorStatus[]
): Record<number, ReturnType<typeof described>> {
  const codes = new Set<ErrorStatus>([400, 401, 403, 429, 500, ...extra]);
  return Object.fromEntries([...codes].sort().map((code) => [code, described(ERROR_DESCRIPTIONS[code])]));
}

/** Response schemas for the error statuses of an unauthenticated operations route. */
export function publicErrorResponses(): Record<number, ReturnType<typeof described>> {
  return { 429: described(ERROR_DESCRIPTIONS[429]), 500: described(ERROR_DESCRIPTIONS[500]) };
}
