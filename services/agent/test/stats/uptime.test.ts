import { describe, expect, it } from 'vitest';
import { parseUptime, readUptime } from '../../src/index.js';
import { fixture } from './fixtures.js';

describe('parseUptime', () => {
  it('reads the seconds since boot', async () => {
    expect(await readUptime(fixture('proc-edge'))).toBe(8640000.25);
    expect(parseUptime('610.07 1019.40\n')).toBe(610.07);
  });

  it('rejects text that does not start with seconds', () => {
    expect(() => parseUptime('up 3 days\n')).toThrow(/does not start with seconds/);
  });
});
