import { describe, expect, it } from 'vitest';
import { RequestCoalescer } from '../src/series/request-coalescer.js';

// What each call of `run` was given is the coalescer's outcome: which requests shared a statement.
function recording(options: { maxBatch: number; maxInFlight: number }) {
  const calls: number[][] = [];
  const release: (() => void)[] = [];
  const coalescer = new RequestCoalescer<number, string>(async (requests) => {
    calls.push([...requests]);
    await new Promise<void>((resolve) => release.push(resolve));
    if (requests.includes(-1)) throw new Error('statement failed');
    return requests.map((n) => `r${n}`);
  }, options);
  return { coalescer, calls, release };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('RequestCoalescer', () => {
  it('answers the requests of one turn with one call, each with its own result', async () => {
    const { coalescer, calls, release } = recording({ maxBatch: 64, maxInFlight: 2 });
    const results = Promise.all([1, 2, 3].map((n) => coalescer.submit(n)));
    await turn();
    expect(calls).toEqual([[1, 2, 3]]);
    release.shift()!();
    expect(await results).toEqual(['r1', 'r2', 'r3']);
  });

  it('keeps what arrives while the calls run for the next call, in batches of at most maxBatch', async () => {
    const { coalescer, calls, release } = recording({ maxBatch: 2, maxInFlight: 1 });
    const first = coalescer.submit(1);
    await turn();
    const later = Promise.all([2, 3, 4].map((n) => coalescer.submit(n)));
    await turn();
    expect(calls).toEqual([[1]]);
    release.shift()!();
    expect(await first).toBe('r1');
    await turn();
    expect(calls).toEqual([[1], [2, 3]]);
    release.shift()!();
    await turn();
    expect(calls).toEqual([[1], [2, 3], [4]]);
    release.shift()!();
    expect(await later).toEqual(['r2', 'r3', 'r4']);
  });

  it('fails every request of a failed call and none of the others', async () => {
    const { coalescer, release } = recording({ maxBatch: 64, maxInFlight: 2 });
    const failed = [coalescer.submit(-1), coalescer.submit(5)].map((p) =>
      p.catch((err: Error) => err.message),
    );
    await turn();
    const fine = coalescer.submit(6);
    await turn();
    release.shift()!();
    release.shift()!();
    expect(await Promise.all(failed)).toEqual(['statement failed', 'statement failed']);
    expect(await fine).toBe('r6');
  });
});
