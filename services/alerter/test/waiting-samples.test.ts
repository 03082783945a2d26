import { describe, expect, it } from 'vitest';
import {
  decodeOpenedItems,
  decodeWaitingSamples,
  encodeOpenedItems,
  encodeWaitingSamples,
  positionalSample,
  ruleSample,
  ruleSampleOfText,
  sampleNames,
  sampleText,
  sampledStats,
  type HostMessageItem,
} from '../src/index.js';
import { T0, sshEvent, statsMessage } from './support/alerter-world.js';

// Names and mounts with what a line format must not be fooled by: tabs, line breaks, quotes.
const awkward = { ...statsMessage('app', T0, { memory: 91, disks: { '/': 50, '/srv/a\tb\nc "d"': 97 }, addresses: ['10.0.0.5', 'fe80::1'] }), hostname: 'app\t1\n.example.com' };
const perCore = { ...statsMessage('db', T0 + 1, { memory: 20 }), cpu: { count: 2, cores: [10, 30] } };

describe('a sample as text', () => {
  it('is the positional form of what rules read, and reads back as it', () => {
    for (const m of [awkward, perCore]) {
      expect(sampleText(m)).toBe(JSON.stringify(positionalSample(ruleSample(m))));
      expect(ruleSampleOfText(sampleText(m))).toEqual(ruleSample(m));
    }
    expect(ruleSampleOfText(sampleText(perCore)).cpu).toEqual({ count: 2, usedPercent: undefined, cores: [10, 30] });
  });

  it('tells whether it names a host with its addresses without being parsed', () => {
    const text = sampleText(awkward);
    expect(sampleNames(text, awkward.hostname, awkward.addresses)).toBe(true);
    expect(sampleNames(text, awkward.hostname, ['10.0.0.5'])).toBe(false);
    expect(sampleNames(text, awkward.hostname, ['fe80::1', '10.0.0.5'])).toBe(false);
    expect(sampleNames(text, 'app', awkward.addresses)).toBe(false);
    expect(sampleNames(text, null, null)).toBe(false);
    expect(sampleNames(sampleText({ ...awkward, addresses: [] }), awkward.hostname, [])).toBe(true);
  });
});

describe('waiting samples', () => {
  const samples = [
    { messageId: 'app:boot-1:7', time: T0 + 10_000, receivedAt: T0 + 10_500, sample: sampleText(awkward) },
    { messageId: 'app:boot-1:6', time: T0, receivedAt: T0 + 11_000, sample: sampleText(perCore) },
  ];

  it('are stored a line each, and read back in order with the line they came from', () => {
    const text = encodeWaitingSamples(samples);
    expect(text.split('\n')).toHaveLength(2);
    const read = decodeWaitingSamples(text);
    expect(read.map(({ line: _, ...s }) => s)).toEqual(samples);
    // Written back unchanged, and a line read is the line written.
    expect(encodeWaitingSamples(read)).toBe(text);
    expect(encodeWaitingSamples([{ ...read[0]!, line: 'kept' }, samples[1]!])).toBe(`kept\n${text.split('\n')[1]}`);
  });

  it('none waiting is the empty text, and the JSON array an older replica wrote reads the same', () => {
    expect(encodeWaitingSamples([])).toBe('');
    expect(decodeWaitingSamples('')).toEqual([]);
    expect(decodeWaitingSamples('[]')).toEqual([]);
    const legacy = JSON.stringify(samples.map((s) => [s.messageId, s.time, s.receivedAt, JSON.parse(s.sample)]));
    expect(decodeWaitingSamples(legacy)).toEqual(samples);
  });

  it('a damaged line is an error, not a sample', () => {
    expect(() => decodeWaitingSamples('app:boot-1:7\t1\t2')).toThrow(/line 1 has fewer than four fields/);
    expect(() => decodeWaitingSamples(`${encodeWaitingSamples(samples)}\nx\t1`)).toThrow(/line 3/);
  });
});

describe('opened messages between threads', () => {
  const items: HostMessageItem[] = [
    { hostId: 'app', messageId: 'app:boot-1:1', message: sampledStats(awkward) },
    { hostId: 'app', messageId: 'ssh-1', message: { v: 1, kind: 'ssh', hostId: 'app', events: [sshEvent('e1', T0, 'failed', { source: '203.0.113.9', user: 'ro\not\t' })] } },
    { hostId: 'db', messageId: 'db:boot-1:1', message: sampledStats(perCore) },
    { hostId: 'db', messageId: 'db:boot-1:2', message: perCore },
  ];

  it('arrive as the evaluator takes them: stats as their sample text, other kinds whole, in batch order', () => {
    const text = encodeOpenedItems(items);
    expect(text.split('\n')).toHaveLength(items.length);
    expect(decodeOpenedItems(text)).toEqual(items);
    expect(decodeOpenedItems(encodeOpenedItems([]))).toEqual([]);
  });

  it('a text of no known form is an error', () => {
    expect(() => decodeOpenedItems('x\tapp\tid\t{}')).toThrow(/no known form/);
    expect(() => decodeOpenedItems('s\tapp\tid\t1')).toThrow(/has no sample/);
    expect(() => decodeOpenedItems('s app id 1')).toThrow(/not a line of tab-separated fields/);
  });
});
