const SECRET_NAMES = new Set([
  'pass',
  'pwd',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'credentials',
]);
const SECRET_SUFFIXES = ['password', 'passwd', 'passphrase', 'secret', 'token', 'privatekey', 'apikey'];
const URL_NAMES = new Set(['dsn', 'connectionstring', 'servers']);

/** How a key is treated: its value kept, redacted, or kept with a URL password masked. */
export type KeyKind = 'plain' | 'secret' | 'url';

const MAX_CACHED_KEYS = 10_000;
const kinds = new Map<string, KeyKind>();

function classify(key: string): KeyKind {
  const name = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_NAMES.has(name) || SECRET_SUFFIXES.some((suffix) => name.endsWith(suffix))) return 'secret';
  if (URL_NAMES.has(name) || name.endsWith('url') || name.endsWith('uri')) return 'url';
  return 'plain';
}

/**
 * How a key is treated, whatever its case and separators: secrets such as `password`,
 * `SMTP_PASSWORD`, `smtpPassword`, `pass`, `token`, `authorization`, `cookie`, `privateKey`,
 * `private_key`, `apiKey`, `clientSecret`; URLs such as `url`, `DATABASE_URL`, `natsUrl`, `dsn`, `servers`.
 */
export function keyKind(key: string): KeyKind {
  let kind = kinds.get(key);
  if (kind === undefined) {
    kind = classify(key);
    // Records reuse a small set of keys; the bound only guards against keys built from data.
    if (kinds.size < MAX_CACHED_KEYS) kinds.set(key, kind);
  }
  return kind;
}

/** Whether a key names a secret (see {@link keyKind}). */
export function isSecretKey(key: string): boolean {
  return keyKind(key) === 'secret';
}

/** Whether a key names a connection URL, whose password is masked (see {@link keyKind}). */
export function isUrlKey(key: string): boolean {
  return keyKind(key) === 'url';
}

/**
 * The usual spellings of secret and URL keys, redacted by exact path in child bindings, which
 * pino does not pass through the per-record redaction.
 */
export const BINDING_KEYS: readonly string[] = Object.freeze([
  'password',
  'pass',
  'passwd',
  'PASSWORD',
  'secret',
  'token',
  'accessToken',
  'apiKey',
  'api_key',
  'authorization',
  'cookie',
  'privateKey',
  'private_key',
  'smtpPassword',
  'SMTP_PASSWORD',
  'natsToken',
  'NATS_TOKEN',
  'url',
  'uri',
  'dsn',
  'databaseUrl',
  'DATABASE_URL',
  'natsUrl',
  'NATS_URL',
  'connectionString',
  'servers',
]);
