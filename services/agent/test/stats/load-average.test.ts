import { describe, expect, it } from 'vitest';
import { parseLoadAverage, readLoadAverage } from '../../src/index.js';
import { fixture, fixtureText } from './fixtures.js';

describe('parseLoadAverage', () => {
  it('reads the three averages of a real /proc/loadavg', async () => {
    const text = await fixtureText('proc-vm', 'loadavg');
    const expected = text.split(' ').slice(0, 3).map(Number);
    expect(parseLoadAverage(text)).toEqual(expected);
  });

  it('reads a loaded machine', async () => {
    expect(await readLoadAverage(fixture('proc-edge'))).toEqual([12.34, 8, 3.5]);
  });

  it('rejects what is not a load average', async () => {
    expect(() => parseLoadAverage('0.5 0.4\n')).toThrow(/not a load average/);
    await expect(readLoadAverage(fixture('proc-broken'))).rejects.toThrow(/not a load average/);
  });
});
