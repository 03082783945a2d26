/** Where a command reads and writes: the process's streams in production, buffers in tests. */
export interface CommandIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** One subcommand of `hostwatch`. */
export interface Command {
  /** Words that select it, e.g. `['keys', 'generate']`. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  /** Runs with the arguments after the path; resolves to the exit code. */
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** A mistake in how a command was called: printed with its usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
