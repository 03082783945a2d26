import type { ChildProcess } from 'node:child_process';

/** Keeps the last lines a child process printed, for error messages, and waits for a line. */
export class ProcessOutput {
  private text = '';

  constructor(child: ChildProcess) {
    const append = (chunk: Buffer): void => {
      this.text = (this.text + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
  }

  /** The last `lines` lines printed. */
  tail(lines = 30): string {
    return this.text.split('\n').slice(-lines).join('\n');
  }

  /** Whether the output so far contains `needle`. */
  includes(needle: string): boolean {
    return this.text.includes(needle);
  }
}
