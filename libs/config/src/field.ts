import { resolve } from 'node:path';
import type { ConfigField, DecodeContext, Decoded, FieldKind } from './config-field.js';
import { formatDuration, parseDuration } from './duration.js';

/** What every field declares: its environment variable, an optional file key, a description and whether it is secret. */
export interface FieldBaseOptions {
  /** Environment variable, upper case with underscores, such as `NATS_URL`. */
  readonly env: string;
  /** One sentence for the configuration reference. */
  readonly description: string;
  /** Key in the JSON config file; the field's property name when omitted. */
  readonly key?: string;
  /** Never echo the value in errors, docs or logs. */
  readonly secret?: boolean;
}

/** Exactly one of: required, a default, or optional (absent means `undefined`). */
export type Presence<D> =
  | { readonly required: true; readonly default?: never; readonly optional?: never }
  | { readonly default: D; readonly required?: never; readonly optional?: never }
  | { readonly optional: true; readonly default?: never; readonly required?: never };

/** Options of a field whose default is written as `D`. */
export type FieldOptions<D> = FieldBaseOptions & Presence<D>;

/** The value type a field contributes: `T`, or `T | undefined` when it is optional. */
export type FieldValue<T, O> = O extends { readonly optional: true } ? T | undefined : T;

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

type Decoder<T> = (raw: unknown, context: DecodeContext) => Decoded<T>;

function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

function bad<T>(problem: string): Decoded<T> {
  return { ok: false, problem };
}

function makeField<T>(
  kind: FieldKind,
  options: FieldOptions<unknown>,
  typeText: string,
  decode: Decoder<T>,
  defaultText: (value: unknown) => string,
): ConfigField<T> {
  const { env, description } = options;
  if (!ENV_NAME.test(env))
    throw new TypeError(`config field ${JSON.stringify(env)}: env must be upper case letters, digits and _`);
  const modes = [
    options.required === true,
    'default' in options && options.default !== undefined,
    options.optional === true,
  ];
  if (modes.filter(Boolean).length !== 1) {
    throw new TypeError(
      `config field ${env}: declare exactly one of required: true, a default, or optional: true`,
    );
  }
  const presence = modes[0] ? 'required' : modes[1] ? 'default' : 'optional';
  if (presence === 'default') {
    const checked = decode(options.default, { baseDir: process.cwd() });
    if (!checked.ok) throw new TypeError(`config field ${env}: default ${checked.problem}`);
  }
  const secret = options.secret === true;
  return Object.freeze({
    kind,
    env,
    key: options.key,
    description,
    secret,
    presence,
    defaultInput: options.default,
    defaultText: presence === 'default' ? (secret ? '(hidden)' : defaultText(options.default)) : undefined,
    typeText,
    decode,
  });
}

function asText(raw: unknown): string | undefined {
  return typeof raw === 'string' ? raw : undefined;
}

function code(text: string): string {
  return `\`${text}\``;
}

function plainDefault(value: unknown): string {
  return code(String(value));
}

function decodeString(raw: unknown): Decoded<string> {
  const text = asText(raw);
  return text === undefined ? bad('must be a string') : ok(text);
}

function string<const O extends FieldOptions<string>>(options: O): ConfigField<FieldValue<string, O>> {
  return makeField('string', options, 'string', decodeString, plainDefault);
}

/** Options of a URL field: which schemes it accepts, such as `['nats', 'tls']`. */
export type UrlOptions = FieldOptions<string> & { readonly protocols?: readonly string[] };

function url<const O extends UrlOptions>(options: O): ConfigField<FieldValue<string, O>> {
  const protocols = (options.protocols ?? []).map((p) => p.replace(/:$/, '').toLowerCase());
  const decode: Decoder<string> = (raw) => {
    const text = asText(raw)?.trim();
    if (text === undefined) return bad('must be a URL string');
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return bad('must be an absolute URL');
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    if (protocols.length > 0 && !protocols.includes(scheme)) {
      return bad(`must be a ${protocols.join(': or ')}: URL`);
    }
    return ok(text);
  };
  const typeText = protocols.length > 0 ? `url (${protocols.map((p) => `${p}:`).join(', ')})` : 'url';
  return makeField('url', options, typeText, decode, plainDefault);
}

/** Options of an integer field with optional inclusive bounds. */
export type IntegerOptions = FieldOptions<number> & { readonly min?: number; readonly max?: number };

function boundsText(min: string | undefined, max: string | undefined): string {
  if (min !== undefined && max !== undefined) return ` (${min}–${max})`;
  if (min !== undefined) return ` (>= ${min})`;
  if (max !== undefined) return ` (<= ${max})`;
  return '';
}

function integer<const O extends IntegerOptions>(options: O): ConfigField<FieldValue<number, O>> {
  const { min, max } = options;
  const decode: Decoder<number> = (raw) => {
    let value: number | undefined;
    if (typeof raw === 'number') value = raw;
    else if (typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw)) value = Number(raw);
    if (value === undefined || !Number.isSafeInteger(value)) return bad('must be an integer');
    if (min !== undefined && value < min) return bad(`must be >= ${min}`);
    if (max !== undefined && value > max) return bad(`must be <= ${max}`);
    return ok(value);
  };
  const typeText = `integer${boundsText(min?.toString(), max?.toString())}`;
  return makeField('integer', options, typeText, decode, plainDefault);
}

/** Options of a duration field, written like `10s`, with optional inclusive bounds written the same way. */
export type DurationOptions = FieldOptions<string> & { readonly min?: string; readonly max?: string };

function durationBound(env: string, name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new TypeError(`config field ${env}: ${name} ${JSON.stringify(text)} is not a duration`);
  return ms;
}

function duration<const O extends DurationOptions>(options: O): ConfigField<FieldValue<number, O>> {
  const min = durationBound(options.env, 'min', options.min);
  const max = durationBound(options.env, 'max', options.max);
  const decode: Decoder<number> = (raw) => {
    const text = asText(raw);
    const ms = text === undefined ? undefined : parseDuration(text);
    if (ms === undefined) return bad('must be a duration such as 500ms, 10s, 2m or 1h');
    if (min !== undefined && ms < min) return bad(`must be >= ${formatDuration(min)}`);
    if (max !== undefined && ms > max) return bad(`must be <= ${formatDuration(max)}`);
    return ok(ms);
  };
  const typeText = `duration${boundsText(
    min === undefined ? undefined : formatDuration(min),
    max === undefined ? undefined : formatDuration(max),
  )}`;
  return makeField('duration', options, typeText, decode, plainDefault);
}

function decodeBoolean(raw: unknown): Decoded<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  const word = asText(raw)?.trim().toLowerCase();
  if (word !== undefined && TRUE_WORDS.has(word)) return ok(true);
  if (word !== undefined && FALSE_WORDS.has(word)) return ok(false);
  return bad('must be one of true, false, 1, 0, yes, no');
}

function boolean<const O extends FieldOptions<boolean>>(options: O): ConfigField<FieldValue<boolean, O>> {
  return makeField('boolean', options, 'boolean', decodeBoolean, plainDefault);
}

/** Options of an enum field: the allowed values, matched exactly. */
export type EnumOptions<V extends readonly string[]> = FieldOptions<V[number]> & { readonly values: V };

function oneOf<const V extends readonly [string, ...string[]], const O extends EnumOptions<V>>(
  options: O & { readonly values: V },
): ConfigField<FieldValue<V[number], O>> {
  const values: readonly string[] = options.values;
  const decode: Decoder<V[number]> = (raw) => {
    const text = asText(raw)?.trim();
    const found = text === undefined ? undefined : options.values.find((v) => v === text);
    return found === undefined ? bad(`must be one of ${values.join(', ')}`) : ok(found);
  };
  return makeField('enum', options, `one of: ${values.map(code).join(', ')}`, decode, plainDefault);
}

function decodeList(raw: unknown): Decoded<readonly string[]> {
  if (typeof raw === 'string') {
    return ok(
      raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    );
  }
  if (Array.isArray(raw) && raw.every((item): item is string => typeof item === 'string'))
    return ok([...raw]);
  return bad('must be a comma-separated string or an array of strings');
}

function list<const O extends FieldOptions<readonly string[]>>(
  options: O,
): ConfigField<FieldValue<readonly string[], O>> {
  const listDefault = (value: unknown): string =>
    Array.isArray(value) && value.length > 0 ? code(value.join(',')) : '(empty)';
  return makeField('list', options, 'list (comma-separated)', decodeList, listDefault);
}

function path<const O extends FieldOptions<string>>(options: O): ConfigField<FieldValue<string, O>> {
  const decode: Decoder<string> = (raw, context) => {
    const text = asText(raw);
    if (text === undefined || text.trim() === '') return bad('must be a path');
    return ok(resolve(context.baseDir, text));
  };
  return makeField('path', options, 'path', decode, plainDefault);
}

/**
 * Field builders for {@link defineConfig}: each takes `env`, `description`, exactly one of
 * `required: true`, `default` or `optional: true`, and optionally `key` and `secret`.
 */
export const field = Object.freeze({
  /** Any string, kept verbatim. */
  string,
  /** An absolute URL, optionally restricted to some schemes; kept as written. */
  url,
  /** A safe integer within optional inclusive bounds. */
  integer,
  /** A duration such as `500ms`, `10s`, `2m`, `1h` or `1h30m`, as milliseconds. */
  duration,
  /** `true/false/1/0/yes/no`, any case. */
  boolean,
  /** One of a fixed set of strings. */
  enum: oneOf,
  /** A comma-separated list (or a JSON array in the file), items trimmed, empty items dropped. */
  list,
  /** A file system path, made absolute: against the config file's directory for file values, else the working directory. */
  path,
});
