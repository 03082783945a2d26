import { describe, expect, it } from 'vitest';
import { parseProcessCount, readProcessCount } from '../../src/index.js';
import { fixture } from './fixtures.js';

describe('process count', () => {
  it('counts the numeric directories of /proc', async () => {
    expect(await readProcessCount(fixture('proc-edge'))).toBe(3);
    expect(await readProcessCount(fixture('proc-vm'))).toBe(4);
  });

  it('ignores everything that is not a process id', () => {
    expect(parseProcessCount(['1', '42', 'self', 'thread-self', 'sys', '12a', 'net'])).toBe(2);
  });
});
