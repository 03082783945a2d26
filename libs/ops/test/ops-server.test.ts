import { afterEach, describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry, startOpsServer, type OpsServer } from '../src/index.js';

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startOpsServer', () => {
  it('answers /healthz, reports readiness per check, and exposes metrics', async () => {
    const registry = createMetricsRegistry('test');
    const received = new Counter({ name: 'hostwatch_test_received_total', help: 'received', registers: [registry] });
    received.inc(3);
    let databaseUp = false;
    server = await startOpsServer({
      port: 0,
      registry,
      checks: {
        nats: async () => undefined,
        postgres: async () => {
          if (!databaseUp) throw new Error('connection refused');
        },
      },
    });

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);

    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', checks: { nats: 'ok', postgres: 'connection refused' } });

    databaseUp = true;
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/hostwatch_test_received_total\{service="test"\} 3/);
    expect(metrics).toMatch(/hostwatch_process_cpu_seconds_total/);

    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('reports a check that hangs as not ready instead of hanging itself', async () => {
    server = await startOpsServer({
      port: 0,
      registry: createMetricsRegistry('test'),
      checkTimeoutMs: 100,
      checks: { stuck: () => new Promise(() => undefined) },
    });
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ checks: { stuck: 'no answer within 100 ms' } });
  });
});
