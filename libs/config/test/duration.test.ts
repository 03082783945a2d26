import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/index.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    [' 10s ', 10_000],
    ['0', 0],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['10', '', 's', '10 s', '10sec', '-1s', '1.5ms', '1h 30m', 'ten seconds', '1e3s'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1_000, '1s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [90_061_001, '1d1h1m1s1ms'],
  ])('writes %i ms as %j, which reads back the same', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
