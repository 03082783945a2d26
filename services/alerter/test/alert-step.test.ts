import { describe, expect, it } from 'vitest';
import { isSilenced, parseRules, stepAlert, type AlertSeriesState, type AlertTiming } from '../src/index.js';

const timing: AlertTiming = { limit: 80, clear: 70, forMs: 30_000, repeatMs: 60_000 };

function run(values: [number, number][], silenced = false): { states: (string | undefined)[]; notes: (string | undefined)[] } {
  let state: AlertSeriesState | undefined;
  const states: (string | undefined)[] = [];
  const notes: (string | undefined)[] = [];
  for (const [time, value] of values) {
    const step = stepAlert(state, { time, value }, timing, silenced);
    state = step.next;
    states.push(state?.state);
    notes.push(step.notify);
  }
  return { states, notes };
}

describe('stepAlert', () => {
  it('is pending until the value held for `for`, then fires once', () => {
    expect(run([[0, 85], [10_000, 90], [30_000, 81], [40_000, 90]])).toEqual({
      states: ['pending', 'pending', 'firing', 'firing'],
      notes: [undefined, undefined, 'firing', undefined],
    });
  });

  it('starts `for` over when the value dips below the limit while pending', () => {
    expect(run([[0, 85], [20_000, 79], [30_000, 85], [50_000, 85], [60_000, 85]]).notes).toEqual([undefined, undefined, undefined, undefined, 'firing']);
  });

  it('keeps firing inside the hysteresis band and resolves below clear', () => {
    expect(run([[0, 90], [30_000, 90], [40_000, 71], [50_000, 70], [60_000, 69]])).toEqual({
      states: ['pending', 'firing', 'firing', 'firing', undefined],
      notes: [undefined, 'firing', undefined, undefined, 'resolved'],
    });
  });

  it('repeats every repeat interval while firing', () => {
    expect(run([[0, 90], [30_000, 90], [89_000, 90], [90_000, 90], [150_000, 90]]).notes).toEqual([undefined, 'firing', undefined, 'repeat', 'repeat']);
  });

  it('mails nothing while silenced, not even the resolution of an alert whose firing was never mailed', () => {
    expect(run([[0, 90], [30_000, 90], [40_000, 50]], true).notes).toEqual([undefined, undefined, undefined]);
  });

  it('ignores an observation older than the last', () => {
    const first = stepAlert(undefined, { time: 100, value: 90 }, { ...timing, forMs: 0 }, false);
    const late = stepAlert(first.next, { time: 50, value: 10 }, timing, false);
    expect(late).toEqual({ next: first.next, notify: undefined });
  });
});

describe('isSilenced', () => {
  it('mutes the listed types from `from` until just before `until`', () => {
    const { rules } = parseRules(`<clients><client host="a" mail="a@example.com"><alert type="cpu" limit="90%" />
      <silence from="2026-01-01T00:00:00Z" until="2026-01-01T01:00:00Z" types="cpu" /></client></clients>`);
    const silences = rules.clients[0]?.silences ?? [];
    const at = (iso: string) => Date.parse(iso);
    expect(isSilenced(silences, 'cpu', at('2025-12-31T23:59:59Z'))).toBe(false);
    expect(isSilenced(silences, 'cpu', at('2026-01-01T00:00:00Z'))).toBe(true);
    expect(isSilenced(silences, 'memory', at('2026-01-01T00:30:00Z'))).toBe(false);
    expect(isSilenced(silences, 'cpu', at('2026-01-01T01:00:00Z'))).toBe(false);
  });
});
