import { dirname, resolve } from 'node:path';
import type { ConfigField, Decoded } from './config-field.js';
import { ConfigError } from './config-error.js';
import { deepFreeze } from './deep-freeze.js';
import type { Config, ConfigFields, ConfigSpec } from './define-config.js';
import { lineColumn, scanJson } from './scan-json.js';

/** The environment variables a configuration is read from: `process.env` or any record. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** What {@link parseConfig} reads: the environment, optionally a JSON file's text, and the working directory. */
export interface ConfigInput {
  readonly env: ConfigEnv;
  /** A JSON config file already read; the environment overrides its values. */
  readonly file?: { readonly name: string; readonly text: string } | undefined;
  /** Directory relative paths resolve against; `process.cwd()` when omitted. */
  readonly cwd?: string | undefined;
}

interface FileValue {
  readonly value: unknown;
  /** `file:line:column` of the value. */
  readonly where: string;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Where JSON.parse says it failed; its message has no position for an unexpected token, so walk the text then. */
function syntaxErrorOffset(error: SyntaxError, text: string): number {
  const stated = /at position (\d+)/.exec(error.message);
  if (stated?.[1] !== undefined) return Number(stated[1]);
  if (/end of JSON input/.test(error.message)) return text.length;
  const scan = scanJson(text);
  return scan.ok ? 0 : scan.errorOffset;
}

function syntaxErrorText(error: SyntaxError): string {
  return error.message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function suggestion(unknown: string, fields: ReadonlyMap<string, ConfigField<unknown>>): string {
  for (const [key, field] of fields) {
    if (field.env === unknown || key.toLowerCase() === unknown.toLowerCase())
      return ` (did you mean "${key}"?)`;
  }
  let best: string | undefined;
  let bestDistance = 3;
  for (const key of fields.keys()) {
    const distance = editDistance(unknown, key);
    if (distance < bestDistance) [best, bestDistance] = [key, distance];
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function readFile(
  file: { readonly name: string; readonly text: string },
  byKey: ReadonlyMap<string, ConfigField<unknown>>,
  problems: string[],
): Map<string, FileValue> {
  const values = new Map<string, FileValue>();
  const text = file.text.replace(/^\uFEFF/, '');
  const at = (offset: number): string => {
    const { line, column } = lineColumn(text, offset);
    return `${file.name}:${line}:${column}`;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    problems.push(`${at(syntaxErrorOffset(error, text))}: invalid JSON: ${syntaxErrorText(error)}`);
    return values;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${file.name}: must hold a JSON object of settings, got ${describeJson(parsed)}`);
    return values;
  }
  const scan = scanJson(text);
  if (!scan.ok)
    throw new Error(`${file.name}: JSON.parse accepted what the scanner refused at ${scan.errorOffset}`);
  const record = parsed as Readonly<Record<string, unknown>>;
  for (const member of scan.members) {
    if (!byKey.has(member.key)) {
      problems.push(`${at(member.keyOffset)}: unknown key "${member.key}"${suggestion(member.key, byKey)}`);
      continue;
    }
    if (values.has(member.key)) problems.push(`${at(member.keyOffset)}: duplicate key "${member.key}"`);
    // JSON.parse keeps the last of duplicate keys, so the last one's position is the one to report.
    values.set(member.key, { value: record[member.key], where: at(member.valueOffset) });
  }
  return values;
}

function gotText(field: ConfigField<unknown>, raw: unknown): string {
  return field.secret ? '' : `, got ${JSON.stringify(raw)}`;
}

/**
 * Reads every field from the environment, then the file, then its default; validates all of it;
 * returns the deeply frozen, typed configuration, or throws one {@link ConfigError} listing
 * every problem (file problems carry `file:line:column`). Pure: the caller reads the file.
 */
export function parseConfig<F extends ConfigFields>(spec: ConfigSpec<F>, input: ConfigInput): Config<F> {
  const cwd = input.cwd ?? process.cwd();
  const problems: string[] = [];
  const byKey = new Map<string, ConfigField<unknown>>();
  for (const [name, field] of Object.entries(spec.fields)) byKey.set(field.key ?? name, field);
  const fileValues =
    input.file === undefined ? new Map<string, FileValue>() : readFile(input.file, byKey, problems);
  const fileDir = input.file === undefined ? cwd : dirname(resolve(cwd, input.file.name));
  const result: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    const key = field.key ?? name;
    let fromFile: Decoded<unknown> | undefined;
    const fileValue = fileValues.get(key);
    if (fileValue !== undefined && fileValue.value !== null) {
      fromFile = field.decode(fileValue.value, { baseDir: fileDir });
      if (!fromFile.ok) {
        problems.push(`${fileValue.where}: ${key} ${fromFile.problem}${gotText(field, fileValue.value)}`);
      }
    }
    let fromEnv: Decoded<unknown> | undefined;
    const envValue = input.env[field.env];
    // An empty variable counts as unset: compose files and shells set VAR= to mean "nothing".
    if (envValue !== undefined && envValue !== '') {
      fromEnv = field.decode(envValue, { baseDir: cwd });
      if (!fromEnv.ok) problems.push(`${field.env} ${fromEnv.problem}${gotText(field, envValue)}`);
    }
    if (fromEnv !== undefined || fromFile !== undefined) {
      const chosen = fromEnv ?? fromFile;
      if (chosen?.ok === true) result[name] = chosen.value;
      continue;
    }
    if (field.presence === 'default') {
      const fallback = field.decode(field.defaultInput, { baseDir: cwd });
      if (fallback.ok) result[name] = fallback.value;
    } else if (field.presence === 'required') {
      const orFile = input.file === undefined ? '' : ` (or "${key}" in ${input.file.name})`;
      problems.push(`${field.env} is required${orFile}`);
    } else {
      result[name] = undefined;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(result) as Config<F>;
}
