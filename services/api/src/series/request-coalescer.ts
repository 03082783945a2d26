/** Options of {@link RequestCoalescer}. */
export interface RequestCoalescerOptions {
  /** Most requests one call answers. */
  readonly maxBatch: number;
  /** Most calls running at once; requests arriving meanwhile wait for the next call. */
  readonly maxInFlight: number;
}

interface Waiting<Request, Result> {
  readonly request: Request;
  readonly resolve: (result: Result) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Answers requests that arrive together with one call of `run`: the requests of one event-loop turn
 * go in one call, and those that arrive while `maxInFlight` calls run go in the next call once one
 * returns. `run` gets the requests in arrival order and returns one result per request, in order;
 * when it fails, every request of that call fails with its error.
 */
export class RequestCoalescer<Request, Result> {
  #waiting: Waiting<Request, Result>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(
    private readonly run: (requests: readonly Request[]) => Promise<readonly Result[]>,
    private readonly options: RequestCoalescerOptions,
  ) {}

  /** The result of `request`, from the call it joins. */
  submit(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      // setImmediate runs after the poll phase, so every request parsed in this turn joins.
      if (!this.#scheduled && this.#inFlight < this.options.maxInFlight) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.options.maxInFlight) {
      const batch = this.#waiting.splice(0, this.options.maxBatch);
      this.#inFlight++;
      void this.#call(batch);
    }
  }

  async #call(batch: readonly Waiting<Request, Result>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.request));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.#inFlight--;
      this.#flush();
    }
  }
}
