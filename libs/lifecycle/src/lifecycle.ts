import { performance } from 'node:perf_hooks';
import type { Component, StopFunction } from './component.js';
import { EXIT_FAILURE, EXIT_OK, exitCodeForSignal } from './exit-code.js';
import type { LifecycleLogger } from './lifecycle-logger.js';
import { SHUTDOWN_SIGNALS, type ShutdownSignal, type SignalSource } from './signal-source.js';

/** How a {@link Lifecycle} runs. */
export interface LifecycleOptions {
  /** Where it reports what it starts and stops and how long each took. */
  readonly logger: LifecycleLogger;
  /** Source of SIGTERM and SIGINT; `process` when omitted. */
  readonly signals?: SignalSource | undefined;
  /** How long each component's stop may take unless it says otherwise; 10 s when omitted. */
  readonly stopTimeoutMs?: number | undefined;
}

interface Started {
  readonly name: string;
  readonly stop: StopFunction | undefined;
  readonly timeoutMs: number;
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

/**
 * Starts components in order, waits for SIGTERM or SIGINT (or {@link Lifecycle.shutdown}), then
 * stops the started ones in reverse order, each within its timeout, and resolves to the exit code:
 * 0 after a clean stop; 1 when a start failed (the ones before it are stopped) or a stop failed or
 * timed out; and when a signal arrives while stopping, at once 128 + its number (130 for SIGINT,
 * 143 for SIGTERM) without waiting for the rest. `main.ts` ends with `process.exit(await lifecycle.run())`.
 */
export class Lifecycle {
  readonly #components: Component[] = [];
  readonly #logger: LifecycleLogger;
  readonly #signals: SignalSource;
  readonly #stopTimeoutMs: number;
  readonly #abort = new AbortController();
  #ran = false;
  #stopping = false;
  #exitCode = EXIT_OK;
  #requestStop: () => void = () => undefined;
  readonly #stopRequested = new Promise<void>((resolve) => {
    this.#requestStop = resolve;
  });
  #force: (code: number) => void = () => undefined;
  readonly #forced = new Promise<number>((resolve) => {
    this.#force = resolve;
  });

  constructor(options: LifecycleOptions) {
    this.#logger = options.logger;
    this.#signals = options.signals ?? process;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  }

  /** Adds a component, started after those added before it and stopped before them. */
  add(component: Component): this {
    if (this.#ran) throw new Error(`cannot add ${component.name}: the lifecycle is already running`);
    this.#components.push(component);
    return this;
  }

  /**
   * Asks for an orderly stop from inside the service, such as when a connection is lost for
   * good; with an error the exit code is 1. Has no effect once stopping.
   */
  shutdown(reason: string, error?: unknown): void {
    if (this.#stopping) return;
    if (error === undefined) {
      this.#logger.info({ reason }, 'shutdown requested');
    } else {
      this.#logger.error({ reason, err: error }, 'shutting down after a fatal error');
      this.#exitCode = EXIT_FAILURE;
    }
    this.#beginStop();
  }

  /** Runs the lifecycle once: start, wait, stop; resolves to the process exit code. */
  async run(): Promise<number> {
    if (this.#ran) throw new Error('a lifecycle runs once');
    this.#ran = true;
    const listeners = SHUTDOWN_SIGNALS.map((signal) => [signal, () => this.#onSignal(signal)] as const);
    for (const [signal, listener] of listeners) this.#signals.on(signal, listener);
    try {
      return await Promise.race([this.#startWaitStop(), this.#forced]);
    } finally {
      for (const [signal, listener] of listeners) this.#signals.off(signal, listener);
    }
  }

  #beginStop(): void {
    this.#stopping = true;
    this.#abort.abort();
    this.#requestStop();
  }

  #onSignal(signal: ShutdownSignal): void {
    if (this.#stopping) {
      const exitCode = exitCodeForSignal(signal);
      this.#logger.warn({ signal, exitCode }, 'second signal while stopping, exiting now');
      this.#force(exitCode);
      return;
    }
    this.#logger.info({ signal }, 'signal received, stopping');
    this.#beginStop();
  }

  async #startWaitStop(): Promise<number> {
    const started: Started[] = [];
    for (const component of this.#components) {
      if (this.#stopping) break;
      const since = performance.now();
      this.#logger.info({ component: component.name }, 'starting');
      try {
        const returned = await component.start(this.#abort.signal);
        const stop = typeof returned === 'function' ? returned : component.stop?.bind(component);
        started.push({
          name: component.name,
          stop,
          timeoutMs: component.stopTimeoutMs ?? this.#stopTimeoutMs,
        });
        this.#logger.info({ component: component.name, durationMs: elapsed(since) }, 'started');
      } catch (error) {
        if (this.#stopping) {
          // Shutdown was requested while it started; its start gave up, which is what was asked.
          this.#logger.warn(
            { component: component.name, err: error, durationMs: elapsed(since) },
            'start interrupted',
          );
          break;
        }
        this.#logger.error(
          { component: component.name, err: error, durationMs: elapsed(since) },
          'start failed',
        );
        this.#exitCode = EXIT_FAILURE;
        this.#beginStop();
      }
    }
    if (!this.#stopping) this.#logger.info({ components: started.length }, 'running');
    await this.#stopRequested;
    const since = performance.now();
    for (const component of started.reverse()) {
      if (!(await this.#stopOne(component))) this.#exitCode = EXIT_FAILURE;
    }
    this.#logger.info({ exitCode: this.#exitCode, durationMs: elapsed(since) }, 'stopped');
    return this.#exitCode;
  }

  async #stopOne({ name, stop, timeoutMs }: Started): Promise<boolean> {
    const since = performance.now();
    this.#logger.info({ component: name }, 'stopping');
    if (stop === undefined) {
      this.#logger.info({ component: name, durationMs: 0 }, 'stopped, nothing to stop');
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const stopping = (async () => stop())();
    try {
      const outcome = await Promise.race([stopping.then(() => 'stopped' as const), timedOut]);
      if (outcome === 'timeout') {
        // It may still finish or fail later; that must not surface as an unhandled rejection.
        stopping.catch(() => undefined);
        this.#logger.error({ component: name, timeoutMs, durationMs: elapsed(since) }, 'stop timed out');
        return false;
      }
      this.#logger.info({ component: name, durationMs: elapsed(since) }, 'stopped');
      return true;
    } catch (error) {
      this.#logger.error({ component: name, err: error, durationMs: elapsed(since) }, 'stop failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
