import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { errorBody } from '../http/error-handler.js';
import type { ApiTokens, TokenScope } from './api-tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one (health, metrics, dashboard files, docs) are public. */
    scope?: TokenScope;
  }
  interface FastifyRequest {
    /** The scope of the request's token, once authenticated. */
    tokenScope?: TokenScope;
  }
}

/** The security scheme the OpenAPI document declares for the bearer tokens. */
export const BEARER_SCHEME = 'bearer';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

function refuse(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="hostwatch"');
  return reply.code(status).send(errorBody(status, message));
}

/**
 * An `onRequest` hook for a route that needs `needed`: it admits a request only with a bearer token
 * of that scope (admin tokens may also read): 401 without a known token, 403 with too small a scope.
 * One hook per route, made when the route is added, so that no request looks its scope up
 * (`request.routeOptions` builds a new object on every read).
 */
export function bearerAuth(tokens: ApiTokens, needed: TokenScope): onRequestAsyncHookHandler {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    if (!match?.[1]) return refuse(reply, 401, 'an Authorization: Bearer <token> header is required');
    const scope = tokens.scopeOf(match[1]);
    if (scope === undefined) return refuse(reply, 401, 'the bearer token is not valid');
    if (needed === 'admin' && scope !== 'admin')
      return refuse(reply, 403, 'this needs a token with the admin scope');
    request.tokenScope = scope;
  };
}
