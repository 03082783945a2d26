import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags the agent sets for itself as it starts, whoever starts it (`hostwatch agent` from a shell, systemd, the
 * container images), so no unit file or manifest has to repeat them.
 *
 * `--no-opt`: no optimizing compiler (TurboFan). The agent's work is a sample every few seconds and the odd log line;
 * the interpreter and the baseline compiler run it at the same CPU time (measured at a 1 s interval: 0.45 % of a core
 * either way), while TurboFan, once any function turns hot, maps about 4 MiB more of the `node` binary's code and
 * allocates its own zones: the agent's steady RSS drops from about 56 to 52 MiB without it. What it gives up is speed
 * on a large backlog: reading an auth log from its start is several times slower than with TurboFan (the scanner
 * still reads hundreds of thousands of lines a second); `hostwatch auth-scan` is not the agent and keeps TurboFan.
 * The flag is read each time V8 decides whether to optimize a function, so setting it at run time, before any agent
 * code has run hot, has the effect it has on the command line. Not every flag is like that: `--single-threaded-gc`
 * (measured: 12 ms less CPU in the agent's first half minute) set at run time aborts V8 at its next full GC, and
 * `--memory-reducer-single-gc` (30 ms less) leaves 1.6 MiB more resident.
 */
export const AGENT_V8_FLAGS: readonly string[] = ['--no-opt'];

/** Sets {@link AGENT_V8_FLAGS} in this process; returns them. */
export function applyAgentV8Flags(): readonly string[] {
  for (const flag of AGENT_V8_FLAGS) setFlagsFromString(flag);
  return AGENT_V8_FLAGS;
}
