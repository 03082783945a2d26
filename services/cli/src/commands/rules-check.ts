import { resolve } from 'node:path';
import { RulesError, formatRulesProblem, readRules } from '@hostwatch/alerter';
import { UsageError, type Command } from '../command.js';

/** `hostwatch rules check FILE`: validates an alert rules file as the alerter would load it. */
export const rulesCheckCommand: Command = {
  path: ['rules', 'check'],
  summary: 'check an alert rules file (rules.xml) and print every problem with line and column',
  usage: `Usage: hostwatch rules check FILE [--max-bytes N]

Reads FILE exactly as the alerter does (docs/rules.md) and prints every problem as
FILE:LINE:COLUMN: what is wrong and what to write instead, then warnings. Exit code 0 when the
alerter would accept the file, 1 when not.`,
  async run(args, io) {
    const rest = [...args];
    let maxBytes: number | undefined;
    const at = rest.indexOf('--max-bytes');
    if (at >= 0) {
      const value = Number(rest[at + 1]);
      if (!Number.isSafeInteger(value) || value < 1) throw new UsageError('--max-bytes needs a positive whole number');
      maxBytes = value;
      rest.splice(at, 2);
    }
    const [file, ...extra] = rest;
    if (file === undefined) throw new UsageError('FILE is required');
    if (extra.length > 0 || file.startsWith('-')) throw new UsageError(`unexpected argument ${extra[0] ?? file}`);
    const path = resolve(io.cwd, file);
    try {
      const { rules, warnings } = await readRules(path, { now: Date.now(), ...(maxBytes === undefined ? {} : { maxBytes }) });
      for (const w of warnings) io.stderr.write(`${formatRulesProblem({ ...w, file })} (warning)\n`);
      const alerts = rules.clients.reduce((n, c) => n + c.alerts.length, 0) + (rules.fleet?.alerts.length ?? 0);
      io.stdout.write(`${file}: OK, ${rules.clients.length} client(s), ${alerts} alert(s)${rules.fleet ? ', fleet rules' : ''}${warnings.length ? `, ${warnings.length} warning(s)` : ''}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof RulesError)) throw err;
      for (const p of err.problems) io.stderr.write(`${formatRulesProblem({ ...p, file: p.file === path ? file : p.file })}\n`);
      io.stderr.write(`${file}: ${err.problems.length} problem(s); the alerter would refuse this file\n`);
      return 1;
    }
  },
};
