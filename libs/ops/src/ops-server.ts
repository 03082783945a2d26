import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { checkReadiness, type Readiness, type ReadinessCheck } from './readiness.js';

/** Options of {@link startOpsServer}. */
export interface OpsServerOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Named checks `/readyz` runs; ready when every one resolves within `checkTimeoutMs`. */
  readonly checks?: Readonly<Record<string, ReadinessCheck>>;
  /** The registry `/metrics` exposes. */
  readonly registry: Registry;
  /** Longest a single check may take (default 2 s). */
  readonly checkTimeoutMs?: number;
}

/** A running operations endpoint. */
export interface OpsServer {
  readonly port: number;
  readonly url: string;
  /** Runs every readiness check and reports each one's state. */
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (the process is alive: always 200), `/readyz` (200 when every check passes,
 * else 503 with each check's state) and `/metrics` (Prometheus text format).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const checks = options.checks ?? {};
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  const readiness = (): Promise<Readiness> => checkReadiness(checks, timeoutMs);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'method not allowed' });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      readiness().then(
        (r) => json(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks }),
        (err: Error) => json(500, { error: err.message }),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (err: Error) => json(500, { error: err.message }),
      );
      return;
    }
    json(404, { error: `no such endpoint ${path}; try /healthz, /readyz or /metrics` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    readiness,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
