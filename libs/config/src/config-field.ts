/** The kinds of value a configuration field can hold. */
export type FieldKind = 'string' | 'url' | 'integer' | 'duration' | 'boolean' | 'enum' | 'list' | 'path';

/** Where a raw value came from, which decides how relative paths resolve. */
export interface DecodeContext {
  /** Directory a relative path is resolved against: the config file's for file values, else the working directory. */
  readonly baseDir: string;
}

/** The outcome of decoding one raw value: the value, or what is wrong with it as a phrase such as `must be >= 1s`. */
export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/**
 * One declared setting: where it is read from, how it is parsed and documented, and the type
 * `T` it contributes to the loaded configuration. Build fields with `field.*`.
 */
export interface ConfigField<T> {
  readonly kind: FieldKind;
  /** Environment variable that sets it, such as `NATS_URL`. */
  readonly env: string;
  /** Key in the JSON config file, when it differs from the field's property name. */
  readonly key: string | undefined;
  /** One sentence for the configuration reference. */
  readonly description: string;
  /** Whether the value must never be echoed in errors, docs or logs. */
  readonly secret: boolean;
  /** What happens when neither the environment nor the file sets it. */
  readonly presence: 'required' | 'default' | 'optional';
  /** The declared default, decoded like any other input when the field is not set. */
  readonly defaultInput: unknown;
  /** The default as an operator would write it, for the configuration reference. */
  readonly defaultText: string | undefined;
  /** The type as the configuration reference shows it, such as `integer (1–65535)`. */
  readonly typeText: string;
  /** Decodes a raw value from the environment (a string) or the JSON file (any JSON value). */
  readonly decode: (raw: unknown, context: DecodeContext) => Decoded<T>;
}
