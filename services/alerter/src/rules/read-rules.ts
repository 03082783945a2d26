import { open } from 'node:fs/promises';
import { DEFAULT_MAX_RULES_BYTES, parseRules, type ParsedRules } from './parse-rules.js';
import { RulesError } from './rules-error.js';

/** Options of {@link readRules}. */
export interface ReadRulesOptions {
  readonly maxBytes?: number;
  readonly now?: number;
}

/**
 * Reads and parses the rules file at `path`; a file over the size cap is refused before it is
 * read. Throws {@link RulesError} for a file that cannot be read or used.
 */
export async function readRules(path: string, options: ReadRulesOptions = {}): Promise<ParsedRules> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_RULES_BYTES;
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) {
        throw new RulesError([
          { file: path, line: 1, column: 1, message: `the file is ${size} bytes; at most ${maxBytes} are accepted (split the fleet or drop unused clients)` },
        ]);
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof RulesError) throw err;
    throw new RulesError([{ file: path, line: 0, column: 0, message: `cannot read the rules file: ${(err as Error).message}` }], { cause: err });
  }
  return parseRules(text, { file: path, maxBytes, ...(options.now === undefined ? {} : { now: options.now }) });
}
