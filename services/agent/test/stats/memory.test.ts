import { describe, expect, it } from 'vitest';
import { parseMemory, readMemory } from '../../src/index.js';
import { fixture, fixtureText } from './fixtures.js';

describe('parseMemory', () => {
  it('reads total and available memory of a real /proc/meminfo, in bytes', async () => {
    const stats = parseMemory(await fixtureText('proc-vm', 'meminfo'));
    expect(stats.memory.totalBytes).toBe(24684084 * 1024);
    expect(stats.memory.availableBytes).toBe(24320776 * 1024);
    // (24684084 - 24320776) / 24684084
    expect(stats.memory.usedPercent).toBe(1.47);
    expect(stats.swap).toEqual({ totalBytes: 0, freeBytes: 0, usedPercent: 0 });
  });

  it('estimates available memory on kernels before MemAvailable, and reads swap', async () => {
    const stats = parseMemory(await fixtureText('proc-edge', 'meminfo'));
    // MemFree + Buffers + Cached
    expect(stats.memory.availableBytes).toBe((1234560 + 200000 + 5000000) * 1024);
    expect(stats.memory.usedPercent).toBe(60.59);
    expect(stats.swap).toEqual({ totalBytes: 8388604 * 1024, freeBytes: 6291452 * 1024, usedPercent: 25 });
  });

  it('rejects a meminfo without MemTotal', async () => {
    expect(() => parseMemory('MemFree: 10 kB\n')).toThrow(/no MemTotal/);
    await expect(readMemory(fixture('proc-broken'))).rejects.toThrow(/no MemTotal/);
  });
});
