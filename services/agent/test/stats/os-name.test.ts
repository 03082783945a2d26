import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseOsName, readOsName } from '../../src/index.js';

describe('os name', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hostwatch-os-name-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('prefers PRETTY_NAME and unquotes it', () => {
    expect(
      parseOsName('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'),
    ).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsName("NAME='Alpine Linux'\nVERSION=3.20\n")).toBe('Alpine Linux 3.20');
    expect(parseOsName('ID=arch\n')).toBeUndefined();
  });

  it('reads /etc/os-release, else /usr/lib/os-release, under a root', async () => {
    expect(await readOsName(root)).toBeUndefined();
    await mkdir(join(root, 'usr', 'lib'), { recursive: true });
    await writeFile(join(root, 'usr', 'lib', 'os-release'), 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\n');
    expect(await readOsName(root)).toBe('Ubuntu 24.04.1 LTS');
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc', 'os-release'), 'PRETTY_NAME="Fedora Linux 41"\n');
    expect(await readOsName(root)).toBe('Fedora Linux 41');
  });
});
