import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/sources/fingerprint.js';
import { openRotatedSiblings, type OpenRotatedFile } from '../../src/sources/rotated-file.js';
import { appendNumbered, numbered, tempDir } from './tail-harness.js';

const closeAll = async (files: readonly OpenRotatedFile[]): Promise<void> => {
  for (const f of files) await f.handle?.close();
};
const fingerprintOfLine = (n: number): string | undefined => fingerprintOf(Buffer.from(`${numbered(n)}\n`));

describe('openRotatedSiblings', () => {
  it('opens plain and compressed siblings, oldest first, each with the fingerprint of its content', async () => {
    const dir = await tempDir();
    const path = join(dir, 'auth.log');
    appendNumbered(`${path}.3`, 1, 2);
    await writeFile(`${path}.2.gz`, gzipSync(`${numbered(3)}\n`));
    appendNumbered(`${path}.1`, 4, 5);
    appendNumbered(path, 6, 6);
    const files = await openRotatedSiblings(path);
    await closeAll(files);
    expect(files.map((f) => [f.path, f.fingerprint])).toEqual([
      [`${path}.3`, fingerprintOfLine(1)],
      [`${path}.2.gz`, fingerprintOfLine(3)],
      [`${path}.1`, fingerprintOfLine(4)],
    ]);
  });

  it('reads the listing again when logrotate shifted the names while they were opened, and misses no file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'auth.log');
    appendNumbered(`${path}.2`, 1, 1); // A
    appendNumbered(`${path}.1`, 2, 3); // B
    appendNumbered(path, 4, 5); // C, at the path
    // Right after the first file (.2, A) is opened, a rotation runs: .2 -> .3, .1 -> .2, the file -> .1. Opening the
    // listed `.1` now gets C, and B stood under no listed name.
    let rotated = false;
    const files = await openRotatedSiblings(path, {
      afterOpen: async () => {
        if (rotated) return;
        rotated = true;
        await rename(`${path}.2`, `${path}.3`);
        await rename(`${path}.1`, `${path}.2`);
        await rename(path, `${path}.1`);
        await writeFile(path, '');
      },
    });
    await closeAll(files);
    expect(files.map((f) => [f.path, f.fingerprint])).toEqual([
      [`${path}.3`, fingerprintOfLine(1)],
      [`${path}.2`, fingerprintOfLine(2)],
      [`${path}.1`, fingerprintOfLine(4)],
    ]);
    // Each handle is the file now under its name.
    for (const f of files) {
      const content = await readFile(f.path, 'utf8');
      expect(fingerprintOf(Buffer.from(content))).toBe(f.fingerprint);
    }
  });

  it('after the last attempt returns what it opened, even while the names keep moving', async () => {
    const dir = await tempDir();
    const path = join(dir, 'auth.log');
    appendNumbered(`${path}.1`, 1, 1);
    let n = 1;
    // Every open is followed by a rename that moves the only sibling to a new name.
    const files = await openRotatedSiblings(path, {
      attempts: 3,
      afterOpen: async () => {
        await rename(`${path}.${n}`, `${path}.${n + 1}`);
        n++;
      },
    });
    await closeAll(files);
    expect(n).toBe(4);
    expect(files.map((f) => f.fingerprint)).toEqual([fingerprintOfLine(1)]);
  });
});
