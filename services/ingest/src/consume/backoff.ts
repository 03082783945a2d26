import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential backoff with full jitter between `initialMs` and `maxMs`; `reset` after a success. */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #attempt = 0;

  constructor(initialMs = 100, maxMs = 10_000) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  /** The delay before the next attempt, growing with each call until {@link Backoff.reset}. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /** Waits for {@link Backoff.next}, or until `signal` aborts (then resolves early). */
  async wait(signal?: AbortSignal): Promise<void> {
    await sleep(this.next(), undefined, { signal }).catch(() => undefined);
  }

  /** Starts over from the initial delay. */
  reset(): void {
    this.#attempt = 0;
  }
}
