import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, READ_TOKEN, bearer, startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const get = (url: string, token = READ_TOKEN) =>
  api.app.inject({ method: 'GET', url, headers: bearer(token) });

describe('GET /api/v1/hosts', () => {
  it('lists every host with its state, latest stats and addresses', async () => {
    const res = await get('/api/v1/hosts');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((h: { hostId: string; status: string }) => [h.hostId, h.status])).toEqual([
      ['db-01', 'pending'],
      ['old-01', 'revoked'],
      ['web-01', 'online'],
      ['web-02', 'offline'],
    ]);
    const web01 = body.items.find((h: { hostId: string }) => h.hostId === 'web-01');
    expect(web01.addresses).toEqual(['10.0.0.11', '2001:db8::11']);
    expect(web01.latest.cpuPercent).toBeCloseTo(81.9, 3);
    expect(web01.latest.memPercent).toBe(40);
    expect(web01.latest.memTotalBytes).toBe(8 * 2 ** 30);
    expect(body.items.find((h: { hostId: string }) => h.hostId === 'old-01').latest).toBeNull();
    expect(body.nextCursor).toBeNull();
  });

  it('sends the same page gzipped to a client that accepts gzip', async () => {
    const plain = await get('/api/v1/hosts?limit=3');
    const gzipped = await api.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?limit=3',
      headers: { ...bearer(READ_TOKEN), 'accept-encoding': 'br;q=1, gzip;q=0.8' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['vary']).toBe('accept-encoding');
    expect(gunzipSync(gzipped.rawPayload).toString('utf8')).toBe(plain.body);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const refused = await api.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?limit=3',
      headers: { ...bearer(READ_TOKEN), 'accept-encoding': 'gzip;q=0' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(plain.body);
  });

  it('filters by status and text, and pages with a cursor', async () => {
    expect(
      (await get('/api/v1/hosts?status=online')).json().items.map((h: { hostId: string }) => h.hostId),
    ).toEqual(['web-01']);
    expect(
      (await get('/api/v1/hosts?q=10.0.0.12')).json().items.map((h: { hostId: string }) => h.hostId),
    ).toEqual(['web-02']);
    const first = (await get('/api/v1/hosts?limit=3')).json();
    expect(first.items).toHaveLength(3);
    const second = (await get(`/api/v1/hosts?limit=3&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((h: { hostId: string }) => h.hostId)).toEqual(['web-02']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    const unknown = await get('/api/v1/hosts?colour=red');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().fields).toEqual([{ field: 'querystring.colour', problem: 'is not a known field' }]);
    const limit = await get('/api/v1/hosts?limit=0');
    expect(limit.statusCode).toBe(400);
    expect(limit.json().fields[0].field).toBe('querystring.limit');
    const status = await get('/api/v1/hosts?status=sleeping');
    expect(status.json().fields[0]).toEqual({
      field: 'querystring.status',
      problem: 'must be one of online, offline, pending, revoked',
    });
    const cursor = await get('/api/v1/hosts?cursor=garbage');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().fields[0].field).toBe('querystring.cursor');
  });
});

describe('GET /api/v1/hosts/{hostId}', () => {
  it('shows one host with keys and the latest detail', async () => {
    const res = await get('/api/v1/hosts/web-01');
    expect(res.statusCode).toBe(200);
    const host = res.json();
    expect(host.status).toBe('online');
    expect(host.keys).toEqual([
      expect.objectContaining({ keyId: 'k-web-01', status: 'approved', revokedAt: null }),
    ]);
    expect(host.detail).toEqual({ disks: [{ mount: '/', usedPercent: 41.5 }] });
    expect(host.latest.cpuPercent).toBeCloseTo(81.9, 3);
  });

  it('shows a host enrolled after the fleet snapshot was read', async () => {
    await api.db
      .insertInto('hosts')
      .values({ host_id: 'new-01', status: 'pending', hostname: 'new-01.example.net' })
      .execute();
    const res = await get('/api/v1/hosts/new-01');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ hostId: 'new-01', status: 'pending', latest: null, keys: [] });
    await api.db.deleteFrom('hosts').where('host_id', '=', 'new-01').execute();
  });

  it('answers 404 for an unknown host and 400 for an impossible host id', async () => {
    const missing = await get('/api/v1/hosts/nope-01');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'no host nope-01' });
    const bad = await get('/api/v1/hosts/a.b');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toBe('params.hostId');
  });
});

describe('admin: approve and revoke', () => {
  const post = (url: string, token: string) =>
    api.app.inject({ method: 'POST', url, headers: bearer(token) });

  it('needs the admin scope', async () => {
    const res = await post('/api/v1/admin/hosts/db-01/approve', READ_TOKEN);
    expect(res.statusCode).toBe(403);
    expect((await get('/api/v1/hosts/db-01')).json().status).toBe('pending');
  });

  it('approves a pending host and its keys, then revokes it', async () => {
    const approved = await post('/api/v1/admin/hosts/db-01/approve', ADMIN_TOKEN);
    expect(approved.statusCode).toBe(200);
    // Approved, but its last report is ten minutes old.
    expect(approved.json().status).toBe('offline');
    const keys = await api.db
      .selectFrom('host_keys')
      .select('status')
      .where('host_id', '=', 'db-01')
      .execute();
    expect(keys).toEqual([{ status: 'approved' }]);
    expect(
      (await get('/api/v1/hosts?status=offline')).json().items.map((h: { hostId: string }) => h.hostId),
    ).toEqual(['db-01', 'web-02']);

    expect((await get('/api/v1/hosts/db-01')).json()).toMatchObject({
      status: 'offline',
      approvedAt: api.now.toISOString(),
      keys: [expect.objectContaining({ status: 'approved' })],
    });

    const revoked = await post('/api/v1/admin/hosts/db-01/revoke', ADMIN_TOKEN);
    expect(revoked.json().status).toBe('revoked');
    expect((await get('/api/v1/hosts/db-01')).json().status).toBe('revoked');
    const after = await api.db
      .selectFrom('host_keys')
      .select(['status', 'revoked_at'])
      .where('host_id', '=', 'db-01')
      .execute();
    expect(after[0]?.status).toBe('revoked');
    expect(after[0]?.revoked_at).toBeInstanceOf(Date);
  });

  it('keeps a revoked host revoked (409) and answers 404 for an unknown one', async () => {
    const again = await post('/api/v1/admin/hosts/old-01/approve', ADMIN_TOKEN);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('Conflict');
    expect((await post('/api/v1/admin/hosts/ghost-9/revoke', ADMIN_TOKEN)).statusCode).toBe(404);
  });
});
