import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { InsecureKeyFileError, KeyFileError, KeyFileExistsError } from './key-file-error.js';
import {
  formatKeyFile,
  formatPublicKeyFile,
  isPublicKeyFileText,
  parseKeyFile,
  parsePublicKeyFile,
} from './key-file-format.js';
import {
  publicKeyInfo,
  type CollectorKeyPair,
  type CollectorPublicKey,
  type HostKeyPair,
  type HostPublicKey,
  type KeyPair,
  type PublicKeyInfo,
} from './key-pair.js';

/** How a key file is written. */
export interface WriteKeyFileOptions {
  /** Replace an existing file (default: refuse with {@link KeyFileExistsError}). */
  readonly force?: boolean;
}

async function write(path: string, text: string, mode: number, options: WriteKeyFileOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFileAtomic(path, text, { mode, overwrite: options.force === true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyFileExistsError(path);
    throw err;
  }
}

/** Writes `key` with its private key to `path`, atomically and with mode 0600 (a new directory gets 0700). */
export async function writeKeyFile(
  path: string,
  key: KeyPair,
  options: WriteKeyFileOptions = {},
): Promise<void> {
  await write(path, formatKeyFile(key), 0o600, options);
}

/** Writes the public half of `key` to `path`, atomically and with mode 0644, for the other side. */
export async function writePublicKeyFile(
  path: string,
  key: KeyPair | PublicKeyInfo,
  options: WriteKeyFileOptions = {},
): Promise<void> {
  await write(path, formatPublicKeyFile(publicKeyInfo(key)), 0o644, options);
}

async function readText(path: string, privateKey: boolean): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new KeyFileError(path, `cannot read key file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new KeyFileError(path, `${path} is not a regular file`);
    const text = await handle.readFile('utf8');
    // A public key file passed for a private one gets that said, not a chmod hint it does not need.
    if (privateKey && isPublicKeyFileText(text)) {
      throw new KeyFileError(path, `${path} is a public key file; the private key file is needed here`);
    }
    // Windows has no POSIX modes to check; its ACLs are the installer's concern.
    if (privateKey && process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new InsecureKeyFileError(path, stat.mode & 0o7777);
    }
    return text;
  } finally {
    await handle.close();
  }
}

function checkKind<K extends { readonly kind: 'host' | 'collector' }>(
  path: string,
  key: K,
  kind: 'host' | 'collector' | undefined,
): K {
  if (kind !== undefined && key.kind !== kind) {
    throw new KeyFileError(path, `${path} holds a ${key.kind} key; a ${kind} key is needed here`);
  }
  return key;
}

/**
 * Reads a private key file, refusing it ({@link InsecureKeyFileError}) when group or others may
 * access it, and, when `kind` is given, when it holds the other side's key.
 */
export async function readKeyFile(path: string, kind: 'host'): Promise<HostKeyPair>;
export async function readKeyFile(path: string, kind: 'collector'): Promise<CollectorKeyPair>;
export async function readKeyFile(path: string, kind?: 'host' | 'collector'): Promise<KeyPair>;
export async function readKeyFile(path: string, kind?: 'host' | 'collector'): Promise<KeyPair> {
  return checkKind(path, parseKeyFile(await readText(path, true), path), kind);
}

/** Reads a public key file, and, when `kind` is given, refuses one of the other side's kind. */
export async function readPublicKeyFile(path: string, kind: 'host'): Promise<HostPublicKey>;
export async function readPublicKeyFile(path: string, kind: 'collector'): Promise<CollectorPublicKey>;
export async function readPublicKeyFile(path: string, kind?: 'host' | 'collector'): Promise<PublicKeyInfo>;
export async function readPublicKeyFile(path: string, kind?: 'host' | 'collector'): Promise<PublicKeyInfo> {
  return checkKind(path, parsePublicKeyFile(await readText(path, false), path), kind);
}
