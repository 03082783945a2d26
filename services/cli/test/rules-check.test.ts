import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-rules-'));
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

describe('hostwatch rules check', () => {
  it('accepts the original format and prints its warning', async () => {
    await writeFile(
      join(dir, 'rules.xml'),
      `<clients>\n  <client ip="127.0.0.1" port="22" username="user" password="password" mail="asa@asda.com">\n    <alert type="memory" limit="50%" />\n    <alert type="cpu" limit="20%" />\n  </client>\n</clients>\n`,
    );
    const result = await run('rules', 'check', 'rules.xml');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('rules.xml: OK, 1 client(s), 2 alert(s), 1 warning(s)\n');
    expect(result.stderr).toMatch(/^rules\.xml:2:52: password is accepted .* \(warning\)\n$/);
  });

  it('refuses the README example with typographic quotes, naming line, column and the fix', async () => {
    await writeFile(
      join(dir, 'pasted.xml'),
      `<client ip=’127.0.0.1’ port=’22’ username=’username’ password=’password’ mail="asa@asda.com">\n    <alert type="memory" limit="50%" />\n    <alert type="cpu" limit="20%" />\n</client>\n`,
    );
    const result = await run('rules', 'check', 'pasted.xml');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      'pasted.xml:1:9: attribute ip is quoted with typographic quotes ’…’ (as a word processor or web page writes them); XML needs straight quotes: write ip="127.0.0.1"',
    );
    expect(result.stderr).toContain('pasted.xml: 4 problem(s); the alerter would refuse this file');
  });

  it('says what is missing from the call', async () => {
    const result = await run('rules', 'check');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('FILE is required');
  });
});
