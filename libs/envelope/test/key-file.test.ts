import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InsecureKeyFileError,
  KeyFileError,
  KeyFileExistsError,
  MemoryKeyRegistry,
  Opener,
  Sealer,
  generateCollectorKeyPair,
  generateHostKeyPair,
  readKeyFile,
  readPublicKeyFile,
  writeKeyFile,
  writePublicKeyFile,
} from '../src/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'envelope-keys-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('key files', () => {
  it('writes a private key file with mode 0600 even under umask 000, in a new directory of mode 0700', async () => {
    const path = join(dir, 'keys', 'host-web-01.key');
    const old = process.umask(0);
    try {
      await writeKeyFile(path, generateHostKeyPair('web-01'));
      await writePublicKeyFile(join(dir, 'keys', 'host-web-01.pub'), generateHostKeyPair('web-01'));
    } finally {
      process.umask(old);
    }
    expect(await modeOf(path)).toBe(0o600);
    expect(await modeOf(join(dir, 'keys'))).toBe(0o700);
    expect(await modeOf(join(dir, 'keys', 'host-web-01.pub'))).toBe(0o644);
    expect((await readdir(join(dir, 'keys'))).sort()).toEqual(['host-web-01.key', 'host-web-01.pub']);
  });

  it('reads back the host key it wrote: same ids, same keys, and it still seals for the collector', async () => {
    const host = generateHostKeyPair('web-01', new Date('2026-11-23T19:00:00.000Z'));
    const collector = generateCollectorKeyPair();
    await writeKeyFile(join(dir, 'host.key'), host);
    await writeKeyFile(join(dir, 'collector.key'), collector);
    await writePublicKeyFile(join(dir, 'collector.pub'), collector);
    await writePublicKeyFile(join(dir, 'host.pub'), host);

    const hostAgain = await readKeyFile(join(dir, 'host.key'), 'host');
    expect(hostAgain).toMatchObject({
      kind: 'host',
      hostId: 'web-01',
      keyId: host.keyId,
      createdAt: host.createdAt,
    });
    expect(Buffer.from(hostAgain.publicKey).equals(host.publicKey)).toBe(true);

    const collectorAgain = await readKeyFile(join(dir, 'collector.key'), 'collector');
    const collectorPublic = await readPublicKeyFile(join(dir, 'collector.pub'), 'collector');
    const hostPublic = await readPublicKeyFile(join(dir, 'host.pub'), 'host');
    expect(collectorPublic).toEqual({
      kind: 'collector',
      keyId: collector.keyId,
      publicKey: Buffer.from(collector.publicKey),
      createdAt: collector.createdAt,
    });
    expect(hostPublic).toEqual({
      kind: 'host',
      hostId: 'web-01',
      keyId: host.keyId,
      publicKey: Buffer.from(host.publicKey),
      createdAt: host.createdAt,
    });

    const registry = new MemoryKeyRegistry();
    registry.add(hostPublic);
    const sealed = new Sealer(hostAgain, collectorPublic).seal(
      'hostwatch.web-01.ssh',
      'm-1',
      Buffer.from('{}'),
    );
    const opened = await new Opener({ collectorKeys: collectorAgain, registry }).open(
      sealed.data,
      sealed.headers,
      'hostwatch.web-01.ssh',
    );
    expect(Buffer.from(opened.body).toString()).toBe('{}');
  });

  it('refuses a private key file that group or others may read, naming the path, the mode and the chmod', async () => {
    const path = join(dir, 'host.key');
    await writeKeyFile(path, generateHostKeyPair('web-01'));
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      await chmod(path, mode);
      const err = await failure(readKeyFile(path));
      expect(err).toBeInstanceOf(InsecureKeyFileError);
      expect(err.message).toContain(path);
      expect(err.message).toContain(`mode 0${mode.toString(8)}`);
      expect(err.message).toContain(`chmod 600 ${path}`);
    }
    await chmod(path, 0o400);
    expect((await readKeyFile(path)).kind).toBe('host');
  });

  it('refuses to overwrite a key unless forced, leaving no temporary file behind', async () => {
    const path = join(dir, 'collector.key');
    const first = generateCollectorKeyPair();
    await writeKeyFile(path, first);
    const before = await readFile(path, 'utf8');

    const err = await failure(writeKeyFile(path, generateCollectorKeyPair()));
    expect(err).toBeInstanceOf(KeyFileExistsError);
    expect(err.message).toContain(path);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['collector.key']);

    const second = generateCollectorKeyPair();
    await writeKeyFile(path, second, { force: true });
    expect((await readKeyFile(path)).keyId).toBe(second.keyId);
    expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['collector.key']);
  });

  it("refuses a public key file where a private one is needed, and the other side's kind", async () => {
    const host = generateHostKeyPair('web-01');
    await writeKeyFile(join(dir, 'host.key'), host);
    await writePublicKeyFile(join(dir, 'host.pub'), host);
    expect((await failure(readKeyFile(join(dir, 'host.pub')))).message).toContain(
      'is a public key file; the private key file is needed here',
    );
    expect((await failure(readKeyFile(join(dir, 'host.key'), 'collector'))).message).toContain(
      'holds a host key; a collector key is needed',
    );
    expect((await failure(readPublicKeyFile(join(dir, 'host.pub'), 'collector'))).message).toContain(
      'holds a host key',
    );
  });

  it('refuses a key file whose fields do not hold together, listing every problem', async () => {
    const path = join(dir, 'host.key');
    const host = generateHostKeyPair('web-01');
    const other = generateHostKeyPair('web-01');
    await writeKeyFile(path, host);
    const fields = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

    const swapped = {
      ...fields,
      publicKey: Buffer.from(other.publicKey).toString('base64'),
      keyId: other.keyId,
    };
    await writeFile(path, JSON.stringify(swapped), { mode: 0o600 });
    expect((await failure(readKeyFile(path))).message).toContain(
      'publicKey is not the public half of privateKey',
    );

    const broken = {
      ...fields,
      hostId: 'web.01',
      keyId: '0000000000000000',
      colour: 'blue',
      createdAt: 'yesterday',
    };
    await writeFile(path, JSON.stringify(broken), { mode: 0o600 });
    const err = await failure(readKeyFile(path));
    expect(err).toBeInstanceOf(KeyFileError);
    expect(err.message).toContain('unknown field "colour"');
    expect(err.message).toContain('hostId: host id "web.01" contains \'.\'');
    expect(err.message).toContain(`keyId 0000000000000000 is not the id of publicKey (${host.keyId})`);
    expect(err.message).toContain('createdAt must be an ISO-8601 time');

    await writeFile(path, 'not json', { mode: 0o600 });
    expect((await failure(readKeyFile(path))).message).toContain(`${path} is not a JSON key file`);
  });

  it('names the path of a key file that is missing', async () => {
    const err = await failure(readKeyFile(join(dir, 'absent.key')));
    expect(err).toBeInstanceOf(KeyFileError);
    expect(err.message).toContain(join(dir, 'absent.key'));
  });
});
