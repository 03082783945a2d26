import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, READ_TOKEN, bearer, startTestApi, type TestApi } from './support/test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => api?.close());

const get = (url: string, token = READ_TOKEN) =>
  api.app.inject({ method: 'GET', url, headers: bearer(token) });
const iso = (msAgo: number) => new Date(api.now.getTime() - msAgo).toISOString();

describe('GET /api/v1/hosts/{hostId}/stats', () => {
  it('buckets the last 24 h into 288 5-minute buckets by default, average and maximum', async () => {
    const res = await get('/api/v1/hosts/web-01/stats');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      hostId: 'web-01',
      stepSeconds: 300,
      source: 'rollup-5m',
      to: api.now.toISOString(),
    });
    const samples = body.points.reduce((n: number, p: { samples: number }) => n + p.samples, 0);
    expect(samples).toBe(720);
    const last = body.points.at(-1);
    expect(last.cpuMax).toBeCloseTo(81.9, 3);
    expect(last.memAvg).toBe(40);
    // The last bucket holds one sample when the clock is 10–20 s into a 5-minute slot.
    const full = body.points.findLast((p: { samples: number }) => p.samples > 1);
    expect(full.cpuAvg).toBeLessThan(full.cpuMax);
  });

  it('takes an explicit step over an explicit range', async () => {
    const body = (
      await get(`/api/v1/hosts/web-01/stats?from=${iso(3_600_000)}&to=${iso(0)}&step=600`)
    ).json();
    expect(body.stepSeconds).toBe(600);
    expect(body.points).toHaveLength(6);
    expect(body.points.every((p: { samples: number }) => p.samples === 60)).toBe(true);
  });

  it('gives an empty series for a known host without samples in the range', async () => {
    const res = await get('/api/v1/hosts/db-01/stats');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ hostId: 'db-01', source: 'rollup-5m', points: [] });
  });

  it('reads the hourly rollup for steps of an hour or more', async () => {
    const body = (await get(`/api/v1/hosts/web-01/stats?from=${iso(3 * 86_400_000)}&step=21600`)).json();
    expect(body.source).toBe('hourly');
    expect(body.points.length).toBeGreaterThanOrEqual(12);
    expect(body.points[0]).toMatchObject({ cpuAvg: 20, cpuMax: 90, memMax: 45 });
  });

  it('refuses contradictory or impossible parameters, naming the field', async () => {
    const both = await get('/api/v1/hosts/web-01/stats?step=60&buckets=10');
    expect(both.statusCode).toBe(400);
    expect(both.json().fields[0].field).toBe('querystring.step');
    const reversed = await get(`/api/v1/hosts/web-01/stats?from=${iso(0)}&to=${iso(3_600_000)}`);
    expect(reversed.json().fields[0].field).toBe('querystring.from');
    const tooMany = await get(`/api/v1/hosts/web-01/stats?from=${iso(30 * 86_400_000)}&step=10`);
    expect(tooMany.statusCode).toBe(400);
    const notDate = await get('/api/v1/hosts/web-01/stats?from=yesterday');
    expect(notDate.json().fields[0]).toEqual({
      field: 'querystring.from',
      problem: 'must match format "date-time"',
    });
    const tooFine = await get('/api/v1/hosts/web-01/stats?step=1');
    expect(tooFine.json().fields[0]).toEqual({ field: 'querystring.step', problem: 'must be >= 10' });
    expect((await get('/api/v1/hosts/nobody/stats')).statusCode).toBe(404);
  });
});

describe('GET /api/v1/stats/sparklines', () => {
  it('gives recent cpu and memory buckets of several hosts, null where a host sent nothing', async () => {
    const res = await get('/api/v1/stats/sparklines?hosts=web-01,web-02,nobody&minutes=60&points=6');
    expect(res.statusCode).toBe(200);
    const [web01, web02, nobody] = res.json().items;
    expect(web01.hostId).toBe('web-01');
    expect(web01.cpu).toHaveLength(6);
    expect(web01.cpu.every((v: number | null) => v !== null)).toBe(true);
    expect(web01.cpu[5]).toBeGreaterThan(web01.cpu[0]);
    expect(web01.mem[0]).toBe(40);
    expect(web02.cpu).toEqual([null, null, null, null, null, null]);
    expect(nobody.hostId).toBe('nobody');
  });

  it('needs hosts and refuses malformed lists', async () => {
    expect((await get('/api/v1/stats/sparklines')).json().fields).toEqual([
      { field: 'querystring.hosts', problem: 'is required' },
    ]);
    expect((await get('/api/v1/stats/sparklines?hosts=a,,b')).json().fields[0].field).toBe(
      'querystring.hosts',
    );
  });
});

describe('GET /api/v1/ssh/sessions', () => {
  const ids = (body: { items: { session: string }[] }) => body.items.map((s) => s.session);

  it('lists the last week newest first with outcomes', async () => {
    const body = (await get('/api/v1/ssh/sessions')).json();
    expect(ids(body)).toEqual(['s5', 's4', 's3', 's2', 's1']);
    expect(body.items.map((s: { outcome: string }) => s.outcome)).toEqual([
      'failed',
      'probe',
      'accepted',
      'failed',
      'failed',
    ]);
  });

  it('filters by host, source, user, outcome and time', async () => {
    expect(ids((await get('/api/v1/ssh/sessions?host=web-02')).json())).toEqual(['s5']);
    expect(ids((await get('/api/v1/ssh/sessions?source=203.0.113.5')).json())).toEqual(['s5', 's2', 's1']);
    expect(ids((await get('/api/v1/ssh/sessions?user=oracle')).json())).toEqual(['s2']);
    expect(ids((await get('/api/v1/ssh/sessions?outcome=accepted')).json())).toEqual(['s3']);
    expect(
      ids((await get(`/api/v1/ssh/sessions?from=${iso(30 * 86_400_000)}&to=${iso(5 * 86_400_000)}`)).json()),
    ).toEqual(['s6']);
  });

  it('pages with a cursor without losing or repeating a session', async () => {
    const seen: string[] = [];
    let url = '/api/v1/ssh/sessions?limit=2';
    for (;;) {
      const body = (await get(url)).json();
      seen.push(...ids(body));
      if (body.nextCursor === null) break;
      url = `/api/v1/ssh/sessions?limit=2&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(['s5', 's4', 's3', 's2', 's1']);
  });

  it('refuses a forged cursor and unknown outcomes', async () => {
    const forged = Buffer.from(JSON.stringify(["'; DROP TABLE hosts; --", 'a', 'b'])).toString('base64url');
    const res = await get(`/api/v1/ssh/sessions?cursor=${forged}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().fields[0].field).toBe('querystring.cursor');
    expect((await get('/api/v1/ssh/sessions?outcome=maybe')).json().fields[0].field).toBe(
      'querystring.outcome',
    );
  });
});

describe('GET /api/v1/ssh/attempts', () => {
  it('gives attempts per host per day, fleet-wide or for one host', async () => {
    const all = (await get('/api/v1/ssh/attempts')).json().items;
    expect(all).toHaveLength(8);
    const today = api.now.toISOString().slice(0, 10);
    expect(all.filter((d: { day: string }) => d.day === today)).toEqual([
      { hostId: 'web-01', day: today, attempts: 10, failures: 8, invalidUsers: 0, accepted: 1, sources: 2 },
      { hostId: 'web-02', day: today, attempts: 3, failures: 6, invalidUsers: 0, accepted: 0, sources: 1 },
    ]);
    const one = (await get(`/api/v1/ssh/attempts?host=web-01&from=${today}&to=${today}`)).json().items;
    expect(one).toHaveLength(1);
  });

  it('refuses days that are not days and reversed ranges', async () => {
    expect((await get('/api/v1/ssh/attempts?from=2026-13-01')).json().fields[0].field).toBe(
      'querystring.from',
    );
    expect((await get('/api/v1/ssh/attempts?from=2026-02-02&to=2026-02-01')).statusCode).toBe(400);
  });
});

describe('GET /api/v1/ssh/top-sources and top-users', () => {
  it('ranks sources fleet-wide and per host', async () => {
    const fleet = (await get('/api/v1/ssh/top-sources')).json().items;
    expect(fleet[0]).toMatchObject({
      source: '203.0.113.5',
      sessions: 3,
      failures: 11,
      accepted: 0,
      hosts: 2,
      users: 3,
    });
    expect(fleet.map((s: { source: string }) => s.source)).toEqual([
      '203.0.113.5',
      '192.0.2.9',
      '198.51.100.7',
    ]);
    const web02 = (await get('/api/v1/ssh/top-sources?host=web-02')).json().items;
    expect(web02).toEqual([expect.objectContaining({ source: '203.0.113.5', sessions: 1, hosts: 1 })]);
  });

  it('ranks user names', async () => {
    const users = (await get('/api/v1/ssh/top-users?limit=2')).json().items;
    expect(users.map((u: { user: string; sessions: number }) => [u.user, u.sessions])).toEqual([
      ['root', 2],
      ['admin', 1],
    ]);
    expect(users[0]).toMatchObject({ sources: 1, hosts: 2 });
    expect((await get('/api/v1/ssh/top-users?limit=101')).statusCode).toBe(400);
  });
});

describe('GET /api/v1/security-events', () => {
  it('lists events newest first, filtered and paged', async () => {
    const all = (await get('/api/v1/security-events')).json();
    expect(all.items.map((e: { eventId: string }) => e.eventId)).toEqual(['e3', 'e2', 'e1']);
    expect(all.items[0]).toMatchObject({
      hostId: 'web-02',
      type: 'sudo',
      user: 'bob',
      allowed: false,
      command: '/bin/sh',
    });
    expect((await get('/api/v1/security-events?type=user_added')).json().items).toHaveLength(1);
    const page = (await get('/api/v1/security-events?limit=2')).json();
    const rest = (await get(`/api/v1/security-events?limit=2&cursor=${page.nextCursor}`)).json();
    expect(rest.items.map((e: { eventId: string }) => e.eventId)).toEqual(['e1']);
  });
});

describe('alerts', () => {
  it('lists active alerts, firing first', async () => {
    const items = (await get('/api/v1/alerts')).json().items;
    expect(items.map((a: { seriesKey: string; state: string }) => [a.seriesKey, a.state])).toEqual([
      ['cpu:web-01', 'firing'],
      ['memory:web-02', 'pending'],
    ]);
    expect((await get('/api/v1/alerts?state=pending')).json().items).toHaveLength(1);
    expect(
      (await get('/api/v1/hosts')).json().items.find((h: { hostId: string }) => h.hostId === 'web-01')
        .openAlerts,
    ).toBe(1);
  });

  it('shows the notification history', async () => {
    const items = (await get('/api/v1/alerts/history')).json().items;
    expect(items.map((n: { subject: string; status: string }) => [n.subject, n.status])).toEqual([
      ['[hostwatch] sudo on web-01', 'failed'],
      ['[hostwatch] FIRING cpu on web-01', 'sent'],
    ]);
    expect((await get('/api/v1/alerts/history?kind=alert')).json().items).toHaveLength(1);
  });
});

describe('GET /api/v1/admin/quarantine', () => {
  it('shows refused messages to admins only', async () => {
    expect((await get('/api/v1/admin/quarantine')).statusCode).toBe(403);
    const res = await get('/api/v1/admin/quarantine', ADMIN_TOKEN);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({
        reason: 'unknown-key',
        subject: 'hostwatch.evil-01.stats',
        hostId: 'evil-01',
        streamSeq: '42',
        headers: { 'Hostwatch-Key': 'k-evil' },
        dataBytes: 17,
        dataBase64: Buffer.from('not really sealed').toString('base64'),
      }),
    ]);
    expect((await get('/api/v1/admin/quarantine?reason=tampered', ADMIN_TOKEN)).json().items).toEqual([]);
  });
});
