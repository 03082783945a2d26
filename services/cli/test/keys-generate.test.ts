import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { readKeyFile, readPublicKeyFile } from '@hostwatch/envelope';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-keys-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(argv, { stdin: new PassThrough(), stdout, stderr, env: {}, cwd: dir });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('hostwatch keys generate', () => {
  it("writes a host's private key file 0600 and its public key file, and prints both with the key id", async () => {
    const result = await run('keys', 'generate', '--host', 'web-01', '--dir', 'keys');
    expect(result).toMatchObject({ code: 0, stderr: '' });

    const privatePath = join(dir, 'keys', 'hosts', 'web-01.key');
    const publicPath = join(dir, 'keys', 'hosts', 'web-01.pub');
    expect(await modeOf(privatePath)).toBe(0o600);
    const key = await readKeyFile(privatePath, 'host');
    const pub = await readPublicKeyFile(publicPath, 'host');
    expect(key.hostId).toBe('web-01');
    expect(pub).toMatchObject({ hostId: 'web-01', keyId: key.keyId });
    expect(await readFile(publicPath, 'utf8')).not.toContain('privateKey');

    expect(result.stdout).toContain(`key id ${key.keyId}`);
    expect(result.stdout).toContain(privatePath);
    expect(result.stdout).toContain(publicPath);
  });

  it("writes the collector's key pair into the keys directory, .hostwatch/keys by default", async () => {
    const result = await run('keys', 'generate', '--collector');
    expect(result.code).toBe(0);
    const keysDir = join(dir, '.hostwatch', 'keys');
    expect((await readdir(keysDir)).sort()).toEqual(['collector.key', 'collector.pub']);
    expect(await modeOf(join(keysDir, 'collector.key'))).toBe(0o600);
    const key = await readKeyFile(join(keysDir, 'collector.key'), 'collector');
    expect((await readPublicKeyFile(join(keysDir, 'collector.pub'), 'collector')).keyId).toBe(key.keyId);
    expect(result.stdout).toContain(`key id ${key.keyId}`);
  });

  it('refuses to overwrite an existing key unless --force, which replaces it', async () => {
    expect((await run('keys', 'generate', '--collector', '--dir', 'k')).code).toBe(0);
    const privatePath = join(dir, 'k', 'collector.key');
    const before = await readFile(privatePath, 'utf8');

    const refused = await run('keys', 'generate', '--collector', '--dir', 'k');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${privatePath} exists already`);
    expect(refused.stderr).toContain('--force');
    expect(await readFile(privatePath, 'utf8')).toBe(before);

    const forced = await run('keys', 'generate', '--collector', '--dir', 'k', '--force');
    expect(forced.code).toBe(0);
    const replaced = await readKeyFile(privatePath, 'collector');
    expect(await readFile(privatePath, 'utf8')).not.toBe(before);
    expect(forced.stdout).toContain(`key id ${replaced.keyId}`);
    expect((await readPublicKeyFile(join(dir, 'k', 'collector.pub'))).keyId).toBe(replaced.keyId);
  });

  it('writes nothing when only the public key file exists already', async () => {
    await run('keys', 'generate', '--host', 'web-01', '--dir', 'k');
    await rm(join(dir, 'k', 'hosts', 'web-01.key'));
    await writeFile(join(dir, 'k', 'hosts', 'web-01.pub'), 'old');
    const refused = await run('keys', 'generate', '--host', 'web-01', '--dir', 'k');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('web-01.pub exists already');
    expect(await readdir(join(dir, 'k', 'hosts'))).toEqual(['web-01.pub']);
  });

  it('refuses an invalid host id, both or neither of --host and --collector, and unknown options, with usage', async () => {
    for (const [argv, message] of [
      [['--host', 'web.01'], "contains '.'"],
      [['--host', 'web-01', '--collector'], 'not both'],
      [[], 'give --host ID or --collector'],
      [['--collector', '--colour'], "Unknown option '--colour'"],
    ] as const) {
      const result = await run('keys', 'generate', ...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Usage: hostwatch keys generate');
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('is listed in hostwatch --help', async () => {
    const result = await run('--help');
    expect(result.stdout).toMatch(/keys generate\s+generate a host's or the collector's key pair/);
  });
});
