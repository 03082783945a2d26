import { watch, type FSWatcher } from 'chokidar';
import type { Clock } from '../clock.js';
import type { AlerterLog } from '../log.js';
import type { AlerterMetrics } from '../ops/alerter-metrics.js';
import { readRules } from './read-rules.js';
import { RulesError, formatRulesProblem } from './rules-error.js';
import type { Rules } from './rules.js';

/** Options of {@link RulesWatcher}. */
export interface RulesWatcherOptions {
  readonly path: string;
  readonly log: AlerterLog;
  readonly clock: Clock;
  readonly metrics?: AlerterMetrics;
  readonly maxBytes?: number;
}

/**
 * The rules in use, kept in step with the rules file: a good edit applies at once, a bad one is
 * logged and counted and leaves the last good rules in force, and readiness reports it until the
 * file is fixed.
 */
export class RulesWatcher {
  readonly #o: RulesWatcherOptions;
  #rules: Rules | undefined;
  #loadedAt = 0;
  #error: RulesError | undefined;
  #watcher: FSWatcher | undefined;
  #loads = 0;
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: RulesWatcherOptions) {
    this.#o = options;
  }

  /** The rules in force. */
  get rules(): Rules {
    if (!this.#rules) throw new Error('the rules were not loaded yet');
    return this.#rules;
  }

  /** Why the file on disk is not the one in force, or undefined when it is. */
  get error(): RulesError | undefined {
    return this.#error;
  }

  /** How many times the file was read, good or bad. */
  get loads(): number {
    return this.#loads;
  }

  /** Reads the file for the first time and watches it; rejects with {@link RulesError} when it is not usable. */
  async start(): Promise<void> {
    await this.reload();
    if (this.#error) throw this.#error;
    const watcher = watch(this.#o.path, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 } });
    watcher.on('add', () => this.#queueReload());
    watcher.on('change', () => this.#queueReload());
    watcher.on('unlink', () => {
      this.#o.log.warn({ path: this.#o.path }, 'rules file removed; keeping the rules in force');
    });
    watcher.on('error', (err) => this.#o.log.warn({ err, path: this.#o.path }, 'cannot watch the rules file'));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.#watcher = watcher;
  }

  #queueReload(): void {
    this.#reloading = this.#reloading.then(() => this.reload());
  }

  /** Reads the file again: applies it when good, keeps the rules in force when not. */
  async reload(): Promise<void> {
    const { log, metrics, path } = this.#o;
    this.#loads += 1;
    try {
      const { rules, warnings } = await readRules(path, { now: this.#o.clock(), ...(this.#o.maxBytes ? { maxBytes: this.#o.maxBytes } : {}) });
      for (const w of warnings) log.warn({ warning: formatRulesProblem(w) }, 'rules file warning');
      const first = this.#rules === undefined;
      this.#rules = rules;
      this.#loadedAt = this.#o.clock();
      this.#error = undefined;
      metrics?.rulesLoads.inc({ result: 'ok' });
      metrics?.rulesCurrent.set(1);
      metrics?.rulesLoadedAt.set(this.#loadedAt / 1000);
      log.info({ path, clients: rules.clients.length, alerts: rules.clients.reduce((n, c) => n + c.alerts.length, 0) }, first ? 'rules loaded' : 'rules reloaded');
    } catch (err) {
      const error = err instanceof RulesError ? err : new RulesError([{ file: path, line: 0, column: 0, message: (err as Error).message }], { cause: err });
      this.#error = error;
      metrics?.rulesLoads.inc({ result: 'error' });
      metrics?.rulesCurrent.set(0);
      if (this.#rules) log.error({ path, problems: error.problems.map(formatRulesProblem) }, 'rules file refused; keeping the last good rules');
    }
  }

  /** A readiness check: fails, naming the problems, while the file on disk is not the rules in force. */
  readonly check = async (): Promise<void> => {
    if (this.#error) {
      const since = this.#rules ? `; still using the rules loaded at ${new Date(this.#loadedAt).toISOString()}` : '';
      throw new Error(`rules file refused: ${this.#error.problems.map(formatRulesProblem).join('; ')}${since}`);
    }
  };

  /** Stops watching. */
  async stop(): Promise<void> {
    await this.#watcher?.close();
    await this.#reloading;
  }
}
