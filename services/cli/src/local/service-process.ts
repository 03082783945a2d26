import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatLogLine } from './log-line.js';

/** Options of {@link ServiceProcess}. */
export interface ServiceProcessOptions {
  readonly name: string;
  /** Program and arguments, e.g. `[process.execPath, 'bin/hostwatch.js', 'ingest']`. */
  readonly command: readonly [string, ...string[]];
  readonly env: NodeJS.ProcessEnv;
  readonly output: NodeJS.WritableStream;
  /** How long a stop waits after SIGTERM before SIGKILL (default 20 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * One service of the local stack as a child process: its log lines shown with its name, restarted
 * with growing delays (1 s up to 30 s) when it exits on its own, stopped with SIGTERM then SIGKILL.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: AbortController | undefined;
  private restarts = 0;

  constructor(private readonly options: ServiceProcessOptions) {}

  /** The service's name. */
  get name(): string {
    return this.options.name;
  }

  /** Starts the process (and keeps it running until {@link stop}). */
  start(): void {
    this.stopping = false;
    this.launch();
  }

  private launch(): void {
    const [file, ...args] = this.options.command;
    const child = spawn(file, args, { env: this.options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const print = (line: string): void => {
      this.options.output.write(`${formatLogLine(this.options.name, line)}\n`);
    };
    createInterface({ input: child.stdout! }).on('line', print);
    createInterface({ input: child.stderr! }).on('line', print);
    const started = Date.now();
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - started > 60_000) this.restarts = 0;
      const delay = Math.min(30_000, 1_000 * 2 ** this.restarts++);
      print(`exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`);
      this.restartTimer = new AbortController();
      sleep(delay, undefined, { signal: this.restartTimer.signal }).then(
        () => {
          if (!this.stopping) this.launch();
        },
        () => undefined,
      );
    });
  }

  /** Stops the process: SIGTERM, then SIGKILL after the timeout. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.restartTimer?.abort();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const cancel = new AbortController();
    const timeout = sleep(this.options.stopTimeoutMs ?? 20_000, 'timeout' as const, { signal: cancel.signal }).catch(() => 'exited' as const);
    const outcome = await Promise.race([exited.then(() => 'exited' as const), timeout]);
    cancel.abort();
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  }
}
