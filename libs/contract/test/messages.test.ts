import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_MESSAGE_BYTES, streamSpec, validateMessage, type StatsMessageV1 } from '../src/index.js';

const stats: StatsMessageV1 = {
  v: 1,
  kind: 'stats',
  hostId: 'web-01',
  bootId: '3f1c',
  seq: 7,
  time: '2026-11-23T19:00:00.000Z',
  intervalMs: 10_000,
  hostname: 'web-01.example.com',
  os: 'linux',
  addresses: ['10.0.0.5'],
  cpu: { count: 2, usedPercent: 12.5, cores: [10, 15] },
  memory: { totalBytes: 1000, availableBytes: 400, usedPercent: 60 },
  swap: { totalBytes: 0, freeBytes: 0, usedPercent: 0 },
  load: [0.1, 0.2, 0.3],
  uptimeSeconds: 1234.5,
  processes: 120,
  disks: [{ mount: '/', device: '/dev/vda1', fstype: 'ext4', totalBytes: 100, availableBytes: 50, usedPercent: 50 }],
  network: [{ name: 'eth0', rxBytes: 1, txBytes: 2 }],
  agent: { version: '0.1.0', unparsedLines: 0, unparsedSamples: [], spoolDepth: 0, spoolFull: false, collectorErrors: {} },
};

describe('validateMessage', () => {
  it('accepts a valid stats message', () => {
    expect(validateMessage('stats', 'web-01', stats)).toEqual({ ok: true, message: stats });
  });

  it('accepts ssh and event batches', () => {
    const ssh = {
      v: 1,
      kind: 'ssh',
      hostId: 'web-01',
      events: [
        { id: 'web-01.f.1', time: '2026-11-23T19:00:00Z', event: 'failed', session: 's1', source: '203.0.113.9', user: 'root', port: 5522, method: 'password', count: 1 },
      ],
    };
    expect(validateMessage('ssh', 'web-01', ssh).ok).toBe(true);
    const event = {
      v: 1,
      kind: 'event',
      hostId: 'web-01',
      events: [{ id: 'web-01.f.2', time: '2026-11-23T19:00:00+01:00', type: 'sudo', user: 'alice', command: '/bin/ls', allowed: true }],
    };
    expect(validateMessage('event', 'web-01', event).ok).toBe(true);
  });

  it('lists every problem with its path', () => {
    const bad = { ...stats, seq: -1, memory: { ...stats.memory, usedPercent: 140 }, extra: true };
    const result = validateMessage('stats', 'web-01', bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/\/seq/);
    expect(result.problems.join('\n')).toMatch(/\/memory\/usedPercent/);
    expect(result.problems.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects an unknown version, a kind on the wrong subject and a host that is not the subject host', () => {
    expect(validateMessage('stats', 'web-01', { ...stats, v: 2 })).toMatchObject({ ok: false, problems: [expect.stringMatching(/version 2/)] });
    expect(validateMessage('ssh', 'web-01', stats)).toMatchObject({ ok: false });
    expect(validateMessage('stats', 'web-02', stats)).toMatchObject({ ok: false, problems: [expect.stringMatching(/does not match/)] });
    expect(validateMessage('stats', 'web-01', 'text')).toMatchObject({ ok: false, problems: ['message is not a JSON object'] });
    expect(validateMessage('stats', 'web-01', [stats])).toMatchObject({ ok: false });
  });

  it('rejects an ssh event kind outside the vocabulary', () => {
    const ssh = {
      v: 1,
      kind: 'ssh',
      hostId: 'web-01',
      events: [{ id: 'x', time: '2026-11-23T19:00:00Z', event: 'hacked', session: 's', count: 1 }],
    };
    expect(validateMessage('ssh', 'web-01', ssh).ok).toBe(false);
  });
});

describe('stream spec', () => {
  it('never drops stored messages silently and fits a sealed body', () => {
    const spec = streamSpec();
    expect(spec.discard).toBe('new');
    expect(spec.storage).toBe('file');
    expect(spec.maxMessageBytes).toBeGreaterThan(MAX_BODY_BYTES + 1024);
    expect(MAX_MESSAGE_BYTES).toBe(spec.maxMessageBytes);
    expect(streamSpec({ maxBytes: 5 }).maxBytes).toBe(5);
  });
});
