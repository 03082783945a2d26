import type { ConfigField } from './config-field.js';

/** The fields of a configuration, by the property name each takes in the loaded object. */
export type ConfigFields = Readonly<Record<string, ConfigField<unknown>>>;

/** A checked, frozen declaration of a service's settings, made by {@link defineConfig}. */
export interface ConfigSpec<F extends ConfigFields> {
  readonly fields: F;
}

/** The loaded configuration a declaration describes: each field's value type, read-only. */
export type Config<F extends ConfigFields> = {
  readonly [K in keyof F]: F[K] extends ConfigField<infer T> ? T : never;
};

/** The loaded configuration type of a {@link ConfigSpec}, for signatures that take a service's config. */
export type ConfigOf<S> = S extends ConfigSpec<infer F> ? Config<F> : never;

/**
 * Declares a service's settings once: the same declaration loads and validates them
 * (`loadConfig`), types the result, and renders the configuration reference (`configTable`).
 * Throws a TypeError at once when two fields share an environment variable or a file key.
 */
export function defineConfig<const F extends ConfigFields>(fields: F): ConfigSpec<F> {
  const envs = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const [name, field] of Object.entries(fields)) {
    const key = field.key ?? name;
    const envOwner = envs.get(field.env);
    if (envOwner !== undefined)
      throw new TypeError(`config fields ${envOwner} and ${name} both read ${field.env}`);
    const keyOwner = keys.get(key);
    if (keyOwner !== undefined)
      throw new TypeError(`config fields ${keyOwner} and ${name} both use file key "${key}"`);
    envs.set(field.env, name);
    keys.set(key, name);
  }
  return Object.freeze({ fields: Object.freeze({ ...fields }) });
}
