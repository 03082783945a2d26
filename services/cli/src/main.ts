import { UsageError, type CommandIo } from './command.js';
import { commands, type CommandEntry } from './commands/index.js';

async function helpText(): Promise<string> {
  const loaded = await Promise.all(commands.map((entry) => entry.load()));
  const width = Math.max(...loaded.map((c) => c.path.join(' ').length));
  const lines = loaded.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'hostwatch: machine load and SSH logins of a Linux fleet, over NATS JetStream into PostgreSQL.',
    '',
    'Usage: hostwatch <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'hostwatch <command> --help' for a command's options.",
    '',
  ].join('\n');
}

function find(argv: readonly string[]): { command: CommandEntry; rest: readonly string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

/** Runs `hostwatch` with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(await helpText());
    return argv.length === 0 ? 2 : 0;
  }
  const found = find(argv);
  if (!found) {
    io.stderr.write(`hostwatch: unknown command '${argv.join(' ')}'\n\n${await helpText()}`);
    return 2;
  }
  await found.command.prepare?.();
  const command = await found.command.load();
  const { rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`hostwatch ${command.path.join(' ')}: ${err.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`hostwatch ${command.path.join(' ')}: ${message}\n`);
    return 1;
  }
}

function processIo(): CommandIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
