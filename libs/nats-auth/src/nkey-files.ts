import { link, mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createUser, fromPublic, fromSeed } from '@nats-io/nkeys';
import { hostIdProblem } from '@hostwatch/contract';
import { isServiceRole, type ServiceRole } from './permissions.js';

/** Who an nkey belongs to: one agent's host, or one service role. */
export type NkeyPrincipal = { readonly host: string } | { readonly service: ServiceRole };

/** The public nkeys found in an nkey directory, by host id and by service role. */
export interface NkeyDirectory {
  readonly hosts: ReadonlyMap<string, string>;
  readonly services: ReadonlyMap<ServiceRole, string>;
  /** Files that are not valid public nkeys of a valid host or role, with the reason. */
  readonly problems: readonly string[];
}

/**
 * The seed (`.nk`, 0600) and public (`.nk.pub`) files of `principal` under `dir`: `hosts/<id>.*` or
 * `services/<role>.*`; the names do not clash with the envelope's key files, so both may share a directory.
 */
export function nkeyPaths(dir: string, principal: NkeyPrincipal): { seed: string; publicKey: string } {
  const [group, name] = 'host' in principal ? ['hosts', principal.host] : ['services', principal.service];
  return { seed: join(dir, group, `${name}.nk`), publicKey: join(dir, group, `${name}.nk.pub`) };
}

/** Whether `value` is a NATS user public key (`U…`). */
export function isUserPublicNkey(value: string): boolean {
  try {
    return value.startsWith('U') && fromPublic(value).getPublicKey() === value;
  } catch {
    return false;
  }
}

async function writeNew(path: string, text: string, mode: number, exclusive = false): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // link(2) fails when the target exists, rename(2) replaces it.
  const place = exclusive ? (from: string, to: string) => link(from, to).then(() => rm(from)) : rename;
  await place(temp, path).catch(async (err: unknown) => {
    await rm(temp, { force: true });
    throw err;
  });
}

/**
 * Makes a new nkey user for `principal` and writes its seed (0600) and public key (0644) under
 * `dir`; refuses to replace an existing seed unless `force`. Returns the public key.
 */
export async function generateNkey(dir: string, principal: NkeyPrincipal, force = false): Promise<string> {
  if ('host' in principal) {
    const problem = hostIdProblem(principal.host);
    if (problem) throw new RangeError(problem);
  }
  const paths = nkeyPaths(dir, principal);
  if (!force) {
    const exists = await readFile(paths.seed).then(
      () => true,
      () => false,
    );
    if (exists) throw new Error(`${paths.seed} exists; pass force to replace it (the old key stops working)`);
  }
  const pair = createUser();
  const publicKey = pair.getPublicKey();
  await writeNew(paths.seed, `${new TextDecoder().decode(pair.getSeed())}\n`, 0o600);
  await writeNew(paths.publicKey, `${publicKey}\n`, 0o644);
  return publicKey;
}

/**
 * Files the public nkey `publicKey` of `principal` under `dir` without its seed: for an agent that
 * made its own seed on its host. Replaces an earlier public key only with `force`.
 */
export async function registerPublicNkey(
  dir: string,
  principal: NkeyPrincipal,
  publicKey: string,
  force = false,
): Promise<void> {
  if ('host' in principal) {
    const problem = hostIdProblem(principal.host);
    if (problem) throw new RangeError(problem);
  }
  if (!isUserPublicNkey(publicKey))
    throw new RangeError(`${JSON.stringify(publicKey)} is not a NATS user public key (U…)`);
  const path = nkeyPaths(dir, principal).publicKey;
  if (force) await rm(path, { force: true });
  try {
    await writeNew(path, `${publicKey}\n`, 0o644, true);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`${path} exists; pass force to replace it`);
    throw err;
  }
}

/** The public key of the nkey seed in `path` (a `.nk` file). */
export async function publicKeyOfSeedFile(path: string): Promise<string> {
  const seed = (await readFile(path, 'utf8')).trim();
  return fromSeed(new TextEncoder().encode(seed)).getPublicKey();
}

const PUBLIC_SUFFIX = '.nk.pub';

async function readGroup(dir: string, problems: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(PUBLIC_SUFFIX)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return found;
    throw err;
  }
  for (const name of names) {
    const key = (await readFile(join(dir, name), 'utf8')).trim();
    if (!isUserPublicNkey(key)) problems.push(`${join(dir, name)}: not a NATS user public key (U…)`);
    else found.set(name.slice(0, -PUBLIC_SUFFIX.length), key);
  }
  return found;
}

/** Reads every public nkey under `dir` (`hosts/*.nk.pub`, `services/*.nk.pub`); a missing group is empty. */
export async function readNkeyDirectory(dir: string): Promise<NkeyDirectory> {
  const problems: string[] = [];
  const hosts = new Map<string, string>();
  for (const [id, key] of await readGroup(join(dir, 'hosts'), problems)) {
    const problem = hostIdProblem(id);
    if (problem) problems.push(`${join(dir, 'hosts', `${id}${PUBLIC_SUFFIX}`)}: ${problem}`);
    else hosts.set(id, key);
  }
  const services = new Map<ServiceRole, string>();
  for (const [role, key] of await readGroup(join(dir, 'services'), problems)) {
    if (isServiceRole(role)) services.set(role, key);
    else
      problems.push(
        `${join(dir, 'services', `${role}${PUBLIC_SUFFIX}`)}: unknown service role ${JSON.stringify(role)}`,
      );
  }
  return { hosts, services, problems };
}
