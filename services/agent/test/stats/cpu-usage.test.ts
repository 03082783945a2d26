import { describe, expect, it } from 'vitest';
import { CpuUsage, parseCpuTimes } from '../../src/index.js';
import { fixtureText } from './fixtures.js';

async function usageBetween(before: string, after: string): Promise<ReturnType<CpuUsage['update']>> {
  const usage = new CpuUsage();
  usage.update(parseCpuTimes(await fixtureText(before, 'stat')));
  return usage.update(parseCpuTimes(await fixtureText(after, 'stat')));
}

describe('CpuUsage', () => {
  it('has no usage on the first sample, only the core count', async () => {
    const usage = new CpuUsage();
    expect(usage.update(parseCpuTimes(await fixtureText('proc-vm', 'stat')))).toEqual({
      count: 2,
      cores: [],
    });
  });

  it('computes busy percentages from two real samples, iowait counting as idle', async () => {
    // cpu0: busy +1 user +3 system, idle +246 -> 4/250; cpu1: busy +201 +3, idle +48 -> 204/252.
    expect(await usageBetween('proc-vm', 'proc-vm-later')).toEqual({
      count: 2,
      usedPercent: 41.43,
      cores: [1.6, 80.95],
    });
  });

  it('survives a core going offline, one coming online and one whose counters went backwards', async () => {
    // cpu5 went offline and cpu6 came online: neither has a whole interval. cpu3's counters went
    // back (reset or wrap): it starts again from this sample. The kernel's aggregate line went
    // backwards too, so the machine-wide figure is summed over the measured cores:
    // busy 400 + 100 + 1000 + 200 + 0 over idle 600 + 880 + 0 + 800 + 1000.
    expect(await usageBetween('proc-edge', 'proc-edge-later')).toEqual({
      count: 7,
      usedPercent: 34.14,
      cores: [40, 10.2, 100, 20, 0],
    });
  });

  it('measures a core again once it has a baseline after a reset or coming online', async () => {
    const usage = new CpuUsage();
    usage.update(parseCpuTimes(await fixtureText('proc-edge', 'stat')));
    usage.update(parseCpuTimes(await fixtureText('proc-edge-later', 'stat')));
    const third = [
      'cpu  0 0 0 0 0 0 0 0 0 0',
      'cpu3 150 0 50 1150 0 0 0 0 0 0',
      'cpu6 100 0 50 1050 0 0 0 0 0 0',
    ].join('\n');
    // cpu3: busy +50, idle +150; cpu6: busy +50, idle +50.
    expect(usage.update(parseCpuTimes(third))).toEqual({ count: 2, usedPercent: 33.33, cores: [25, 50] });
  });

  it('reports each of many cores', async () => {
    const result = await usageBetween('proc-many-cores', 'proc-many-cores-later');
    expect(result.count).toBe(192);
    expect(result.cores).toHaveLength(192);
    // Core i spent i % 101 of 100 ticks busy.
    expect(result.cores.slice(0, 3)).toEqual([0, 1, 2]);
    expect(result.cores[100]).toBe(100);
    expect(result.cores[101]).toBe(0);
    expect(result.cores[191]).toBe(90);
    expect(result.usedPercent).toBe(47.63);
  });

  it('never counts negative time when idle steps back on a tickless kernel', () => {
    const usage = new CpuUsage();
    usage.update(parseCpuTimes('cpu  0 0 0 0 0\ncpu0 100 0 100 1000 50\n'));
    const result = usage.update(parseCpuTimes('cpu  0 0 0 0 0\ncpu0 150 0 150 1000 40\n'));
    expect(result).toEqual({ count: 1, usedPercent: 100, cores: [100] });
  });

  it('has no usage when no time passed', () => {
    const usage = new CpuUsage();
    const text = 'cpu  100 0 100 1000 0\ncpu0 100 0 100 1000 0\n';
    usage.update(parseCpuTimes(text));
    expect(usage.update(parseCpuTimes(text))).toEqual({ count: 1, cores: [] });
  });

  it('falls back to the aggregate line when there are no per-core lines', () => {
    const usage = new CpuUsage();
    usage.update(parseCpuTimes('cpu  100 0 100 800 0 0 0 0 0 0\n'));
    expect(usage.update(parseCpuTimes('cpu  130 0 120 850 0 0 0 0 0 0\n'))).toEqual({
      count: 1,
      usedPercent: 50,
      cores: [],
    });
  });
});
