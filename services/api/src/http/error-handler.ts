import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ClientError } from './client-error.js';
import type { ErrorBody } from './error-response.js';

interface ValidationIssue {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** Turns ajv's issues into `{ field, problem }` pairs that name the field, e.g. `querystring.limit`. */
export function describeValidation(context: string, issues: readonly ValidationIssue[]): ErrorBody['fields'] {
  return issues.map((issue) => {
    const path = issue.instancePath.split('/').filter(Boolean);
    let problem = issue.message ?? issue.keyword;
    if (issue.keyword === 'additionalProperties') {
      path.push(String(issue.params['additionalProperty']));
      problem = 'is not a known field';
    } else if (issue.keyword === 'required') {
      path.push(String(issue.params['missingProperty']));
      problem = 'is required';
    } else if (issue.keyword === 'enum') {
      problem = `must be one of ${(issue.params['allowedValues'] as unknown[]).join(', ')}`;
    }
    return { field: [context, ...path].join('.'), problem };
  });
}

/** Builds an error body for `statusCode`. */
export function errorBody(statusCode: number, message: string, fields?: ErrorBody['fields']): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(fields ? { fields } : {}) };
}

/**
 * The app's error handler: validation failures answer 400 naming each field, client errors keep
 * their status and message, and anything else is logged and answered 500 without a stack or detail.
 */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err.validation) {
    const fields = describeValidation(
      err.validationContext ?? 'request',
      err.validation as ValidationIssue[],
    );
    const message = fields?.map((f) => `${f.field} ${f.problem}`).join('; ') ?? 'invalid request';
    return reply.code(400).send(errorBody(400, message, fields));
  }
  if (err instanceof ClientError && err.field !== undefined) {
    const problem = err.message.slice(err.field.length + 1);
    return reply
      .code(err.statusCode)
      .send(errorBody(err.statusCode, err.message, [{ field: err.field, problem }]));
  }
  const status = err.statusCode ?? 500;
  if ((status >= 400 && status < 500) || status === 503) {
    return reply.code(status).send(errorBody(status, err.message));
  }
  request.log.error({ err }, 'request failed');
  return reply.code(500).send(errorBody(500, 'internal error; the server log has the details'));
}
