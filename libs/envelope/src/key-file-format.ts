import { hostIdProblem } from '@hostwatch/contract/light';
import { KeyFileError } from './key-file-error.js';
import { keyIdOf } from './key-id.js';
import type { KeyPair, PublicKeyInfo } from './key-pair.js';
import { X25519_KEY_BYTES, privateKeyFromRaw, rawPrivateKey, rawPublicKey } from './x25519.js';

const PRIVATE_FORMAT = 'hostwatch-private-key-v1';
const PUBLIC_FORMAT = 'hostwatch-public-key-v1';
const ALGORITHM = 'X25519';

function common(key: PublicKeyInfo): Record<string, string> {
  return {
    kind: key.kind,
    ...(key.kind === 'host' ? { hostId: key.hostId } : {}),
    keyId: key.keyId,
    algorithm: ALGORITHM,
    publicKey: Buffer.from(key.publicKey).toString('base64'),
  };
}

/** The text of a private key file: JSON naming the kind, host, key id, both raw keys in base64 and when it was made. */
export function formatKeyFile(key: KeyPair): string {
  const fields = {
    format: PRIVATE_FORMAT,
    ...common(key),
    privateKey: rawPrivateKey(key.privateKey).toString('base64'),
    createdAt: key.createdAt.toISOString(),
  };
  return `${JSON.stringify(fields, null, 2)}\n`;
}

/** The text of a public key file: a key file without its private key, for the other side. */
export function formatPublicKeyFile(key: PublicKeyInfo): string {
  const fields = { format: PUBLIC_FORMAT, ...common(key), createdAt: key.createdAt.toISOString() };
  return `${JSON.stringify(fields, null, 2)}\n`;
}

interface Fields {
  readonly kind: 'host' | 'collector';
  readonly hostId: string | undefined;
  readonly keyId: string;
  readonly publicKey: Buffer;
  readonly privateKey: Buffer | undefined;
  readonly createdAt: Date;
}

function base64Key(value: unknown, name: string, problems: string[]): Buffer | undefined {
  if (typeof value !== 'string') {
    problems.push(`${name} must be a base64 string`);
    return undefined;
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value || bytes.length !== X25519_KEY_BYTES) {
    problems.push(`${name} must be ${X25519_KEY_BYTES} bytes in base64`);
    return undefined;
  }
  return bytes;
}

function parseFields(text: string, path: string, format: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KeyFileError(path, `${path} is not a JSON key file: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeyFileError(path, `${path} is not a JSON key file: expected an object`);
  }
  const record = value as Record<string, unknown>;
  if (record['format'] !== format) {
    const other =
      record['format'] === PUBLIC_FORMAT
        ? ' (it is a public key file)'
        : record['format'] === PRIVATE_FORMAT
          ? ' (it is a private key file)'
          : '';
    throw new KeyFileError(
      path,
      `${path}: format must be ${JSON.stringify(format)}, not ${JSON.stringify(record['format'])}${other}`,
    );
  }

  const problems: string[] = [];
  const allowed = [
    'format',
    'kind',
    'hostId',
    'keyId',
    'algorithm',
    'publicKey',
    'createdAt',
    ...(format === PRIVATE_FORMAT ? ['privateKey'] : []),
  ];
  for (const name of Object.keys(record))
    if (!allowed.includes(name)) problems.push(`unknown field ${JSON.stringify(name)}`);

  const kind = record['kind'];
  if (kind !== 'host' && kind !== 'collector')
    problems.push(`kind must be "host" or "collector", not ${JSON.stringify(kind)}`);
  const hostId = record['hostId'];
  if (kind === 'host') {
    if (typeof hostId !== 'string') problems.push('hostId is required for a host key');
    else {
      const problem = hostIdProblem(hostId);
      if (problem) problems.push(`hostId: ${problem}`);
    }
  } else if (kind === 'collector' && hostId !== undefined) problems.push('a collector key has no hostId');
  if (record['algorithm'] !== ALGORITHM) problems.push(`algorithm must be ${JSON.stringify(ALGORITHM)}`);
  const publicKey = base64Key(record['publicKey'], 'publicKey', problems);
  const privateKey =
    format === PRIVATE_FORMAT ? base64Key(record['privateKey'], 'privateKey', problems) : undefined;
  const keyId = record['keyId'];
  if (typeof keyId !== 'string') problems.push('keyId must be a string');
  else if (publicKey && keyIdOf(publicKey) !== keyId)
    problems.push(`keyId ${keyId} is not the id of publicKey (${keyIdOf(publicKey)})`);
  const createdAtText = record['createdAt'];
  const createdAt = typeof createdAtText === 'string' ? new Date(createdAtText) : undefined;
  if (!createdAt || Number.isNaN(createdAt.getTime())) problems.push('createdAt must be an ISO-8601 time');

  if (
    problems.length > 0 ||
    !publicKey ||
    !createdAt ||
    typeof keyId !== 'string' ||
    (kind !== 'host' && kind !== 'collector')
  ) {
    throw new KeyFileError(path, `${path}: ${problems.join('; ')}`);
  }
  return {
    kind,
    hostId: typeof hostId === 'string' ? hostId : undefined,
    keyId,
    publicKey,
    privateKey,
    createdAt,
  };
}

/** Whether `text` looks like a public key file, to tell someone who passed one where a private key is needed. */
export function isPublicKeyFileText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<string, unknown>)['format'] === PUBLIC_FORMAT
    );
  } catch {
    return false;
  }
}

/** Parses the text of a private key file read from `path`, checking that its keys belong together. */
export function parseKeyFile(text: string, path: string): KeyPair {
  const fields = parseFields(text, path, PRIVATE_FORMAT);
  if (!fields.privateKey) throw new KeyFileError(path, `${path}: privateKey is missing`);
  const privateKey = privateKeyFromRaw(fields.privateKey);
  if (!rawPublicKey(privateKey).equals(fields.publicKey)) {
    throw new KeyFileError(path, `${path}: publicKey is not the public half of privateKey`);
  }
  const { keyId, publicKey, createdAt } = fields;
  return fields.kind === 'host'
    ? { kind: 'host', hostId: fields.hostId ?? '', keyId, publicKey, privateKey, createdAt }
    : { kind: 'collector', keyId, publicKey, privateKey, createdAt };
}

/** Parses the text of a public key file read from `path`. */
export function parsePublicKeyFile(text: string, path: string): PublicKeyInfo {
  const { kind, hostId, keyId, publicKey, createdAt } = parseFields(text, path, PUBLIC_FORMAT);
  return kind === 'host'
    ? { kind: 'host', hostId: hostId ?? '', keyId, publicKey, createdAt }
    : { kind: 'collector', keyId, publicKey, createdAt };
}
