import type { LifecycleLogger } from '../src/index.js';

/** One record as a log shipper would see it. */
export interface LogRecord {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A logger that keeps its records, and lets a test wait for one. */
export class RecordingLogger implements LifecycleLogger {
  readonly records: LogRecord[] = [];
  readonly #waiting: { readonly msg: string; readonly resolve: () => void }[] = [];

  info(fields: Record<string, unknown>, msg: string): void {
    this.#add({ ...fields, level: 'info', msg });
  }

  warn(fields: Record<string, unknown>, msg: string): void {
    this.#add({ ...fields, level: 'warn', msg });
  }

  error(fields: Record<string, unknown>, msg: string): void {
    this.#add({ ...fields, level: 'error', msg });
  }

  /** Resolves once a record with this message has been logged. */
  waitFor(msg: string): Promise<void> {
    if (this.records.some((record) => record.msg === msg)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ msg, resolve }));
  }

  /** Each record as `message component`, for asserting on order. */
  lines(): string[] {
    return this.records.map((r) => (typeof r.component === 'string' ? `${r.msg} ${r.component}` : r.msg));
  }

  #add(record: LogRecord): void {
    this.records.push(record);
    for (const waiter of this.#waiting.filter((w) => w.msg === record.msg)) waiter.resolve();
  }
}
