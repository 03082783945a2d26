import { setTimeout as sleep } from 'node:timers/promises';
import type { AlerterLog } from '../log.js';
import type { Evaluator } from './evaluator.js';

/** Runs {@link Evaluator.tick} every interval until stopped; a failing tick is logged and the next one tries again. */
export class EvaluationTicker {
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #stop = new AbortController();

  constructor(
    private readonly evaluator: Evaluator,
    private readonly intervalMs: number,
    private readonly log: AlerterLog,
  ) {}

  /** Starts ticking in the background. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        try {
          await this.evaluator.tick();
        } catch (err) {
          this.log.warn({ err }, 'evaluation tick failed; trying again');
        }
        await sleep(this.intervalMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
      }
    })();
  }

  /** Stops after the tick in progress. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stop.abort();
    await this.#loop;
  }
}
