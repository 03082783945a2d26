import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@hostwatch/db';
import { buildApp } from '../src/app.js';
import { ApiTokens } from '../src/auth/api-tokens.js';
import { ADMIN_TOKEN, READ_TOKEN, bearer, startTestApi, type TestApi } from './support/test-api.js';

describe('ApiTokens', () => {
  it('knows each token by its scope, admin winning, and nothing else', () => {
    const tokens = new ApiTokens({
      read: ['r-token-aaaaaaaaaaaaaaaa', 'both-aaaaaaaaaaaaaaaa'],
      admin: ['both-aaaaaaaaaaaaaaaa'],
    });
    expect(tokens.scopeOf('r-token-aaaaaaaaaaaaaaaa')).toBe('read');
    expect(tokens.scopeOf('both-aaaaaaaaaaaaaaaa')).toBe('admin');
    expect(tokens.scopeOf('r-token-aaaaaaaaaaaaaaa')).toBeUndefined();
    expect(tokens.scopeOf('')).toBeUndefined();
  });
});

describe('authentication, headers and errors', () => {
  let api: TestApi;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    api = await startTestApi({ logger: pino({ level: 'trace' }, sink), rateLimitPerMinute: 1000 });
  });
  afterAll(async () => api?.close());

  it('answers 401 with a challenge without a token, with a malformed one, and with an unknown one', async () => {
    for (const headers of [
      {},
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: `Bearer ${READ_TOKEN}x` },
      { authorization: 'Bearer' },
    ]) {
      const res = await api.app.inject({ method: 'GET', url: '/api/v1/hosts', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="hostwatch"');
      expect(res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
  });

  it('answers 403 to a read token on an admin route, and admits an admin token to read routes', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/admin/hosts/web-01/revoke',
      headers: bearer(READ_TOKEN),
    });
    expect(res.statusCode).toBe(403);
    expect(
      (await api.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: bearer(ADMIN_TOKEN) }))
        .statusCode,
    ).toBe(200);
  });

  it('sends security headers on API responses, the dashboard, errors and 404s', async () => {
    const series = `/api/v1/hosts/web-01/stats?buckets=24&from=${new Date(api.now.getTime() - 7_200_000).toISOString()}`;
    for (const [url, headers, status] of [
      ['/api/v1/hosts', bearer(READ_TOKEN), 200],
      ['/', {}, 200],
      // A series from the 5-minute rollup is written in pieces, its head by the route.
      [series, bearer(READ_TOKEN), 200],
      ['/api/v1/hosts', {}, 401],
      ['/api/v1/admin/quarantine', bearer(READ_TOKEN), 403],
      ['/api/v1/hosts?limit=0', bearer(READ_TOKEN), 400],
      ['/api/v1/nothing-here', bearer(READ_TOKEN), 404],
    ] as const) {
      const res = await api.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('never writes a token to the log', async () => {
    await api.app.inject({ method: 'GET', url: '/api/v1/hosts?limit=1', headers: bearer(READ_TOKEN) });
    await api.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?limit=1',
      headers: bearer(`${ADMIN_TOKEN}-wrong`),
    });
    const log = lines.join('');
    expect(log).toContain('/api/v1/hosts?limit=1');
    expect(log).not.toContain(READ_TOKEN);
    expect(log).not.toContain(ADMIN_TOKEN);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await api.app.inject({
      method: 'GET',
      url: '/api/v1/nothing-here',
      headers: bearer(READ_TOKEN),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

describe('silences: strict bodies', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api?.close());
  const post = (url: string, payload: unknown, token = ADMIN_TOKEN) =>
    api.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

  it('creates, lists and expires silences', async () => {
    const endsAt = new Date(api.now.getTime() + 3_600_000).toISOString();
    const created = await post('/api/v1/silences', {
      hostId: 'web-01',
      types: ['cpu', 'memory'],
      endsAt,
      comment: 'kernel upgrade',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      hostId: 'web-01',
      types: ['cpu', 'memory'],
      state: 'active',
      createdBy: 'admin',
      endsAt,
    });
    const list = await api.app.inject({
      method: 'GET',
      url: '/api/v1/silences?host=web-01',
      headers: bearer(READ_TOKEN),
    });
    expect(list.json().items).toHaveLength(1);
    const expired = await post(`/api/v1/silences/${created.json().id}/expire`, undefined);
    expect(expired.statusCode).toBe(200);
    expect(expired.json().state).toBe('expired');
    expect(
      (await api.app.inject({ method: 'GET', url: '/api/v1/silences', headers: bearer(READ_TOKEN) })).json()
        .items,
    ).toEqual([]);
    expect((await post('/api/v1/silences/999/expire', undefined)).statusCode).toBe(404);
  });

  it('refuses unknown fields, wrong types without coercing, and bad values, naming each field', async () => {
    const endsAt = new Date(api.now.getTime() + 3_600_000).toISOString();
    const unknown = await post('/api/v1/silences', { endsAt, comment: 'x', everything: true });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().fields).toEqual([{ field: 'body.everything', problem: 'is not a known field' }]);
    // A number where a string belongs is not turned into "42".
    const typed = await post('/api/v1/silences', { endsAt, comment: 42 });
    expect(typed.json().fields).toEqual([{ field: 'body.comment', problem: 'must be string' }]);
    const several = await post('/api/v1/silences', { types: ['cpu', 'sunshine'], comment: '' });
    expect(
      several
        .json()
        .fields.map((f: { field: string }) => f.field)
        .sort(),
    ).toEqual(['body.comment', 'body.endsAt', 'body.types.1']);
    const past = await post('/api/v1/silences', {
      endsAt: new Date(api.now.getTime() - 1000).toISOString(),
      comment: 'late',
    });
    expect(past.json().fields).toEqual([{ field: 'body.endsAt', problem: 'is in the past' }]);
    const notJson = await api.app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
      payload: '{"endsAt":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.body).not.toContain('at ');
    expect((await post('/api/v1/silences', { endsAt, comment: 'x' }, READ_TOKEN)).statusCode).toBe(403);
  });
});

describe('failures and limits', () => {
  it('answers 500 without a stack or the database error when PostgreSQL is gone, and 503 on /readyz', async () => {
    const db = createDb('postgres://nobody@127.0.0.1:1/none', { connectTimeoutMs: 1000 });
    const app = await buildApp({
      db,
      tokens: new ApiTokens({ read: [READ_TOKEN] }),
      checks: { postgres: () => Promise.reject(new Error('connection refused')) },
    });
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/hosts/web-01',
        headers: bearer(READ_TOKEN),
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'internal error; the server log has the details',
      });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'not ready', checks: { postgres: 'connection refused' } });
    } finally {
      await app.close();
      await db.destroy();
    }
  });

  it('rate limits a client, counting refused tokens too', async () => {
    const api = await startTestApi({ rateLimitPerMinute: 5 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const token = i % 2 === 0 ? READ_TOKEN : 'guess-0000000000000000';
        codes.push(
          (await api.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: bearer(token) })).statusCode,
        );
      }
      expect(codes).toEqual([200, 401, 200, 401, 200, 429, 429]);
      const limited = await api.app.inject({
        method: 'GET',
        url: '/api/v1/hosts',
        headers: bearer(READ_TOKEN),
      });
      expect(limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(limited.headers['retry-after']).toBeDefined();
      expect(limited.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await api.close();
    }
  });
});

describe('operations', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api?.close());

  it('/healthz and /readyz answer without a token', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok' } });
  });

  it('/metrics counts requests by route and status', async () => {
    await api.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: bearer(READ_TOKEN) });
    await api.app.inject({ method: 'GET', url: '/api/v1/hosts' });
    const res = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /hostwatch_http_request_duration_seconds_count\{[^}]*method="GET",route="\/api\/v1\/hosts",status="200"[^}]*\} 1/,
    );
    expect(res.body).toMatch(
      /hostwatch_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/hosts",status="401"[^}]*\} 1/,
    );
    expect(res.body).toContain('hostwatch_process_cpu_seconds_total');
  });
});
