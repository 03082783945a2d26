import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/** One header helmet sets (`value`) or removes (`undefined`). */
type HeaderChange = readonly [name: string, value: string | undefined];

/**
 * The headers helmet's middleware writes for `options`, found by running it once against a
 * response that only records them. With static options (no nonce functions) they are the same for
 * every request.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): readonly HeaderChange[] {
  const changes: HeaderChange[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => void changes.push([name.toLowerCase(), value]),
    removeHeader: (name: string) => void changes.push([name.toLowerCase(), undefined]),
  };
  helmet(options)(
    {} as Parameters<ReturnType<typeof helmet>>[0],
    recorder as unknown as Parameters<ReturnType<typeof helmet>>[1],
    () => undefined,
  );
  return changes;
}

/**
 * Helmet's security headers on every response (API, dashboard, errors and 404s alike), computed
 * once: `@fastify/helmet` builds helmet's middleware again on every request, parsing the
 * Content-Security-Policy each time, which a CPU profile of the fleet list under load showed as a
 * tenth of the process's time.
 */
export const securityHeaders = fp<{ helmet: Readonly<HelmetOptions> }>(
  async (app, options) => {
    const changes = helmetHeaders(options.helmet);
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
      for (const [name, value] of changes) {
        if (value === undefined) reply.raw.removeHeader(name);
        else reply.raw.setHeader(name, value);
      }
      done();
    });
  },
  { name: 'hostwatch-security-headers' },
);
