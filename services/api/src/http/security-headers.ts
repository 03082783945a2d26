import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/** One header helmet sets: its name in lower case and its value. */
type Header = readonly [name: string, value: string];

/**
 * The headers helmet's middleware sets for `options`, found by running it once against a response
 * that only records them. With static options (no nonce functions) they are the same for every
 * request. Its removals (X-Powered-By) are left out: the headers are set at `onRequest`, where no
 * header is set yet, so removing one would always be a no-op.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): readonly Header[] {
  const headers: Header[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => void headers.push([name.toLowerCase(), value]),
    removeHeader: () => undefined,
  };
  helmet(options)(
    {} as Parameters<ReturnType<typeof helmet>>[0],
    recorder as unknown as Parameters<ReturnType<typeof helmet>>[1],
    () => undefined,
  );
  return headers;
}

/**
 * Helmet's security headers on every response (API, dashboard, errors and 404s alike), computed
 * once: `@fastify/helmet` builds helmet's middleware again on every request, parsing the
 * Content-Security-Policy each time, which a CPU profile of the fleet list under load showed as a
 * tenth of the process's time. They are set as the reply's headers (`reply.header`), not on Node's
 * response: Fastify and the routes that write their own head (`sendPieces`, the event stream) pass
 * the reply's headers to one `writeHead`, and a response with no header set on it beforehand writes
 * them straight into its head, where each `setHeader` on it stored them again first (half the head's
 * cost and about 3 KB of garbage per response).
 */
export const securityHeaders = fp<{ helmet: Readonly<HelmetOptions> }>(
  async (app, options) => {
    const headers = helmetHeaders(options.helmet);
    // A function directive (a nonce per request) would make the headers differ between requests.
    const csp = options.helmet.contentSecurityPolicy;
    const values = typeof csp === 'object' ? Object.values(csp.directives ?? {}) : [];
    if (
      values.some(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          [...(v as Iterable<unknown>)].some((x) => typeof x === 'function'),
      )
    ) {
      throw new Error('securityHeaders needs static Content-Security-Policy directives');
    }
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of headers) reply.header(name, value);
      done();
    });
  },
  { name: 'hostwatch-security-headers' },
);
