import { describe, expect, it } from 'vitest';
import { parseCpuTimes, readCpuTimes } from '../../src/index.js';
import { fixture, fixtureText } from './fixtures.js';

describe('parseCpuTimes', () => {
  it('reads the aggregate and per-core lines of a real /proc/stat', async () => {
    const sample = parseCpuTimes(await fixtureText('proc-vm', 'stat'));
    expect(sample.total).toEqual({
      user: 21990,
      nice: 0,
      system: 7799,
      idle: 150572,
      iowait: 1293,
      irq: 0,
      softirq: 122,
      steal: 332,
      guest: 0,
      guestNice: 0,
    });
    expect([...sample.cores.keys()]).toEqual([0, 1]);
    expect(sample.cores.get(1)?.user).toBe(12548);
  });

  it('keys cores by CPU number, so an offline core leaves a gap', async () => {
    const sample = parseCpuTimes(await fixtureText('proc-edge', 'stat'));
    expect([...sample.cores.keys()]).toEqual([0, 1, 2, 3, 4, 5, 7]);
    expect(sample.cores.get(4)?.guest).toBe(200);
  });

  it('reads many cores', async () => {
    const sample = parseCpuTimes(await fixtureText('proc-many-cores', 'stat'));
    expect(sample.cores.size).toBe(192);
    expect(sample.cores.get(191)?.user).toBe(10000 + 191 * 7);
  });

  it('counts the columns an old kernel does not print as zero', () => {
    const sample = parseCpuTimes('cpu  10 20 30 40\ncpu0 10 20 30 40\nintr 5\n');
    expect(sample.total).toMatchObject({ user: 10, nice: 20, system: 30, idle: 40, iowait: 0, steal: 0 });
  });

  it('rejects text that is not /proc/stat', () => {
    expect(() => parseCpuTimes('intr 1 2 3\n')).toThrow(/no aggregate "cpu" line/);
    expect(() => parseCpuTimes('cpu  1 2 x 4\n')).toThrow(/system is not a counter/);
    expect(() => parseCpuTimes('cpu  1 2\n')).toThrow(/too few CPU columns/);
  });

  it('reads <procRoot>/stat', async () => {
    const sample = await readCpuTimes(fixture('proc-vm-later'));
    expect(sample.cores.get(0)?.idle).toBe(78185);
  });
});
