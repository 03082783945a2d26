import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/test-api.js';

const COMMITTED = new URL('../openapi.json', import.meta.url);
const REDOCLY = new URL('../../../node_modules/.bin/redocly', import.meta.url);
const REDOCLY_CONFIG = new URL('../redocly.yaml', import.meta.url);

let api: TestApi;
let generated: string;
beforeAll(async () => {
  api = await startTestApi();
  generated = `${JSON.stringify(api.app.swagger(), null, 2)}\n`;
  // `UPDATE_OPENAPI=1 npx vitest run services/api/test/openapi.test.ts` rewrites the committed document.
  if (process.env['UPDATE_OPENAPI'] === '1') await writeFile(COMMITTED, generated);
});
afterAll(async () => api?.close());

describe('the OpenAPI document', () => {
  it('is what is committed in services/api/openapi.json (regenerate with UPDATE_OPENAPI=1)', async () => {
    expect(generated).toBe(await readFile(COMMITTED, 'utf8'));
  });

  it('is served at /openapi.json and rendered at /docs', async () => {
    const doc = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(`${JSON.stringify(doc.json(), null, 2)}\n`).toBe(generated);
    const docs = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
  });

  it('documents every /api/v1 operation with parameters, security and its error responses', () => {
    const doc = JSON.parse(generated) as {
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, unknown>; operationId?: string }>
      >;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([m, op]) => ({ path, m, op })),
    );
    const api = operations.filter((o) => o.path.startsWith('/api/v1/'));
    expect(api.map((o) => `${o.m.toUpperCase()} ${o.path}`).sort()).toEqual([
      'GET /api/v1/admin/quarantine',
      'GET /api/v1/alerts',
      'GET /api/v1/alerts/history',
      'GET /api/v1/events',
      'GET /api/v1/hosts',
      'GET /api/v1/hosts/{hostId}',
      'GET /api/v1/hosts/{hostId}/stats',
      'GET /api/v1/security-events',
      'GET /api/v1/silences',
      'GET /api/v1/ssh/attempts',
      'GET /api/v1/ssh/sessions',
      'GET /api/v1/ssh/top-sources',
      'GET /api/v1/ssh/top-users',
      'GET /api/v1/stats/sparklines',
      'POST /api/v1/admin/hosts/{hostId}/approve',
      'POST /api/v1/admin/hosts/{hostId}/revoke',
      'POST /api/v1/silences',
      'POST /api/v1/silences/{id}/expire',
    ]);
    for (const { op } of api) {
      expect(op.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '429', '500']));
      expect(op.operationId).toBeTruthy();
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(doc.paths[path]?.['get']).toBeDefined();
  });

  it('passes redocly lint with the recommended rules', async () => {
    const run = promisify(execFile);
    const result = await run(
      REDOCLY.pathname,
      ['lint', '--config', REDOCLY_CONFIG.pathname, '--format', 'stylish', COMMITTED.pathname],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    ).catch((err: { stdout: string; stderr: string }) => ({
      stdout: err.stdout,
      stderr: err.stderr,
      failed: true,
    }));
    expect({ failed: 'failed' in result, output: result.stdout + result.stderr }).toMatchObject({
      failed: false,
    });
    expect(result.stdout + result.stderr).toMatch(/valid/i);
  });
});
