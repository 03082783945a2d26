import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSession, insertStats } from './support/seed-fleet.js';
import { READ_TOKEN, bearer, startTestApi, type TestApi } from './support/test-api.js';

interface ServerEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** Reads server-sent events from a response body, one at a time. */
function eventReader(body: ReadableStream<Uint8Array>): () => Promise<ServerEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return async () => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data) return { type, data: JSON.parse(data) as Record<string, unknown> };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

let api: TestApi;
let base: string;
beforeAll(async () => {
  api = await startTestApi({ liveIntervalMs: 100 });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => api?.close());

describe('GET /api/v1/events', () => {
  it('needs a token', async () => {
    const res = await fetch(`${base}/api/v1/events`);
    expect(res.status).toBe(401);
  });

  it('streams host, session and alert changes as server-sent events', async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/events`, { headers: bearer(READ_TOKEN), signal: abort.signal });
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const next = eventReader(res.body as ReadableStream<Uint8Array>);
      expect((await next()).type).toBe('ready');
      const until = async (match: (e: ServerEvent) => boolean): Promise<ServerEvent> => {
        for (;;) {
          const event = await next();
          if (match(event)) return event;
        }
      };

      await insertStats(api.db, 'web-02', new Date(), 12.5, 33, 99);
      const host = await until((e) => e.type === 'host' && e.data['hostId'] === 'web-02');
      expect(host.data).toMatchObject({
        hostId: 'web-02',
        status: 'online',
        latest: { cpuPercent: 12.5, memPercent: 33 },
      });

      await insertSession(api.db, {
        host: 'web-02',
        session: 'sse-1',
        start: new Date(),
        source: '192.0.2.200',
        users: ['root'],
        failures: 2,
      });
      const session = await until((e) => e.type === 'session');
      expect(session.data).toMatchObject({
        hostId: 'web-02',
        session: 'sse-1',
        source: '192.0.2.200',
        outcome: 'failed',
      });

      await api.db
        .updateTable('alerter_alerts')
        .set({ state: 'firing', fired_at: new Date(), updated_at: new Date() })
        .where('series_key', '=', 'memory:web-02')
        .execute();
      const fired = await until((e) => e.type === 'alert');
      expect(fired.data).toMatchObject({ seriesKey: 'memory:web-02', state: 'firing' });
      await api.db.deleteFrom('alerter_alerts').where('series_key', '=', 'memory:web-02').execute();
      const resolved = await until((e) => e.type === 'alert');
      expect(resolved.data).toEqual({ seriesKey: 'memory:web-02', state: 'resolved' });
    } finally {
      abort.abort();
    }
  });
});
