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
  const res = reply.raw;
  // The reply's own headers (rate limit) over those already on the response (security headers),
  // as reply.send does; only what differs is set again (each set validates name and value).
  const headers = reply.getHeaders();
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && res.getHeader(name) !== value) res.setHeader(name, value);
  }
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', length);
  res.writeHead(200);
  // Writes of one turn go out together: Node corks the socket on the first and uncorks on the next tick.
  for (const piece of pieces) res.write(piece);
  res.end();
}
