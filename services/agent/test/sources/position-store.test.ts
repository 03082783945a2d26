import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PositionFileError } from '../../src/sources/position-file-error.js';
import { PositionStore } from '../../src/sources/position-store.js';
import { tempDir } from './tail-harness.js';

describe('PositionStore', () => {
  it('saves one JSON file per source under the state directory, creating it, and loads it back', async () => {
    const dir = join(await tempDir(), 'state', 'agent');
    const store = new PositionStore(dir);
    expect(await store.load('file:/var/log/auth.log')).toBeUndefined();
    await store.save('file:/var/log/auth.log', { version: 1, offset: 42 });
    await store.save('journal', { version: 1, cursor: 's=1;i=2' });
    expect(await store.load('file:/var/log/auth.log')).toEqual({ version: 1, offset: 42 });
    expect(await new PositionStore(dir).load('journal')).toEqual({ version: 1, cursor: 's=1;i=2' });
    expect((await readdir(dir)).sort()).toEqual(['file%3A%2Fvar%2Flog%2Fauth.log.json', 'journal.json']);
  });

  it('keeps the order of saves of one source and leaves no temporary file behind', async () => {
    const dir = await tempDir();
    const store = new PositionStore(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.save('k', { offset: i })));
    expect(JSON.parse(await readFile(store.fileOf('k'), 'utf8'))).toEqual({ offset: 49 });
    expect(await readdir(dir)).toEqual(['k.json']);
  });

  it('refuses a position file that is not JSON instead of starting over', async () => {
    const dir = await tempDir();
    const store = new PositionStore(dir);
    await writeFile(store.fileOf('k'), '{"offset": 4');
    await expect(store.load('k')).rejects.toBeInstanceOf(PositionFileError);
    await expect(store.load('k')).rejects.toThrow(/k\.json: the saved position is not JSON/);
  });
});
