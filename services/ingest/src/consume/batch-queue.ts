/**
 * A queue that hands out batches: {@link BatchQueue.take} waits for the first item, then up to
 * `waitMs` more for the batch to fill, so a busy stream gets full batches and a quiet one low
 * latency.
 */
export class BatchQueue<T> {
  #items: T[] = [];
  #wake: (() => void) | undefined;

  /** How many items wait. */
  get length(): number {
    return this.#items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }

  /** Removes and returns every waiting item. */
  drain(): T[] {
    const all = this.#items;
    this.#items = [];
    return all;
  }

  /** Up to `max` items: waits for one (until `signal` aborts, then returns what there is), then up to `waitMs` for `max`. */
  async take(max: number, waitMs: number, signal: AbortSignal): Promise<T[]> {
    while (this.#items.length === 0 && !signal.aborted) await this.#until(undefined, signal);
    if (this.#items.length < max && !signal.aborted) {
      const deadline = Date.now() + waitMs;
      while (this.#items.length < max && !signal.aborted) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await this.#until(left, signal);
      }
    }
    return this.#items.splice(0, max);
  }

  #until(ms: number | undefined, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      signal.addEventListener('abort', done);
      this.#wake = done;
    });
  }
}
