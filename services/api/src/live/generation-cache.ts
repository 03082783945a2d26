/**
 * Response bodies computed from one fleet snapshot, kept until the snapshot changes: every reader
 * of a snapshot gets the same bytes, serialized once. At most `capacity` bodies are kept.
 */
export class GenerationCache<T = string> {
  readonly #bodies = new Map<string, T>();
  #generation = Number.NaN;

  constructor(private readonly capacity: number) {}

  /** The body kept under `key` for `generation`, or `make()` kept for the next readers. */
  get(generation: number, key: string, make: () => T): T {
    if (generation !== this.#generation) {
      this.#bodies.clear();
      this.#generation = generation;
    }
    let body = this.#bodies.get(key);
    if (body === undefined) {
      body = make();
      if (this.#bodies.size < this.capacity) this.#bodies.set(key, body);
    }
    return body;
  }
}
