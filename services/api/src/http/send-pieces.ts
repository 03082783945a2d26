import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Sends `pieces` one after the other as a 200 response's body of `contentType`, without joining
 * them into one buffer first: Node writes them to the socket in one `writev`, so a large piece
 * that is a view of a kept buffer is never copied in the process. The response carries the same
 * headers as `reply.send` would send, in the same order, and the `onResponse` hooks run; `onSend`
 * hooks do not, so the route must need none.
 */
export function sendPieces(
  reply: FastifyReply,
  contentType: string,
  pieces: readonly Buffer[],
  length: number,
): void {
  reply.hijack();
  // The reply's headers (security headers, rate limit) and then these two, as reply.send orders
  // them, written into the head in one call: nothing is set on Node's response before it, so
  // writeHead does not store them in the response first (securityHeaders sets its headers on the
  // reply for that reason).
  reply.header('content-type', contentType);
  reply.header('content-length', String(length));
  const res = reply.raw;
  res.writeHead(200, reply.getHeaders() as OutgoingHttpHeaders);
  // Writes of one turn go out together: Node corks the socket on the first and uncorks on the next tick.
  const last = pieces.length - 1;
  for (let i = 0; i < last; i++) res.write(pieces[i]);
  res.end(pieces[last]);
}
