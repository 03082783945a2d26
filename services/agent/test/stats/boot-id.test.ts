import { describe, expect, it } from 'vitest';
import { bootIdFromBootTime, parseBootId, readBootId } from '../../src/index.js';
import { fixture, fixtureText } from './fixtures.js';

describe('boot id', () => {
  it('reads the kernel boot id', async () => {
    const text = await fixtureText('proc-vm', 'sys', 'kernel', 'random', 'boot_id');
    expect(await readBootId(fixture('proc-vm'))).toBe(text.trim());
  });

  it('normalises case', async () => {
    expect(await readBootId(fixture('proc-edge'))).toBe('1b4e28ba-2fa1-11d2-883f-0016d3cca427');
  });

  it('rejects what is not a UUID', () => {
    expect(() => parseBootId('\n')).toThrow(/not a UUID/);
  });

  it('derives an id from the boot time that ignores sub-second jitter', () => {
    expect(bootIdFromBootTime(1_795_459_725_200)).toBe('boot-1795459725');
    expect(bootIdFromBootTime(1_795_459_724_900)).toBe('boot-1795459725');
    expect(bootIdFromBootTime(1_795_459_727_000)).not.toBe(bootIdFromBootTime(1_795_459_725_000));
  });
});
