/** One problem in a rules file, where it is and what to write instead. */
export interface RulesProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Formats a problem or warning as `file:line:column: message`, as compilers do. */
export function formatRulesProblem(problem: RulesProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** A rules file that cannot be used: every problem found, each with file, line and column. */
export class RulesError extends Error {
  override readonly name = 'RulesError';
  /** Every problem, in file order. */
  readonly problems: readonly RulesProblem[];

  constructor(problems: readonly RulesProblem[], options?: { cause?: unknown }) {
    super(problems.map(formatRulesProblem).join('\n'), options);
    this.problems = problems;
  }
}
