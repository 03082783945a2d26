import { closeSync, openSync, writeSync } from 'node:fs';
import { appendFile, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TailLine } from '../../src/sources/tail-line.js';
import {
  appendNumbered,
  deliveredNumbers,
  isOneToN,
  logrotate,
  numbered,
  recordingLogger,
  startTail,
  tempDir,
} from './tail-harness.js';

async function setup(): Promise<{ dir: string; path: string; stateDir: string }> {
  const dir = await tempDir();
  return { dir, path: join(dir, 'auth.log'), stateDir: join(dir, 'state') };
}

const byNumber = (lines: readonly TailLine[]): Map<number, TailLine['position']> =>
  new Map(lines.map((l) => [Number(l.text.slice(5, 11)), l.position]));

describe('FileTailer: positions and commits', () => {
  it('gives each line its byte range in the file and a fingerprint of the first line, the same on every read', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 3);
    const tail = startTail({ path, stateDir });
    await tail.until('3 lines', (lines) => lines.length === 3);
    const first = `${numbered(1)}\n`;
    const second = `${numbered(2)}\n`;
    expect(tail.lines.map((l) => l.text)).toEqual([numbered(1), numbered(2), numbered(3)]);
    expect(tail.lines[1]?.position).toEqual({
      fingerprint: tail.lines[0]?.position.fingerprint,
      offset: first.length,
      nextOffset: first.length + second.length,
    });
    // The first line is all the fingerprint covers: growing the file does not change it.
    appendNumbered(path, 4, 200);
    await tail.until('200 lines', (lines) => lines.length === 200);
    expect(new Set(tail.lines.map((l) => l.position.fingerprint)).size).toBe(1);
    await tail.stop();
    const again = startTail({ path, stateDir: join(stateDir, 'other'), exitAtEnd: true });
    await again.done;
    expect(again.lines.map((l) => l.position)).toEqual(tail.lines.map((l) => l.position));
  });

  it('after a crash delivers the uncommitted lines again with the same positions, and nothing committed', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 100);
    // Batches of 10; the broker acknowledged the first four only.
    const first = startTail({ path, stateDir, maxBatchLines: 10 }, (_batch, index) => index < 4);
    await first.until('100 lines', (lines) => lines.length === 100);
    await first.stop();
    expect(first.tailer.committed?.offset).toBe(first.lines[39]?.position.nextOffset);

    const second = startTail({ path, stateDir, maxBatchLines: 10 });
    await second.until('the uncommitted lines', (lines) => lines.length >= 60);
    appendNumbered(path, 101, 110);
    await second.until('new lines too', (lines) => lines.length >= 70);
    expect(deliveredNumbers(second.lines)).toEqual(Array.from({ length: 70 }, (_, i) => i + 41));
    const before = byNumber(first.lines);
    for (const line of second.lines.slice(0, 60)) {
      expect(line.position).toEqual(before.get(Number(line.text.slice(5, 11))));
    }
  });

  it('after a crash and a rotation re-reads the uncommitted rest from the rotated file with the same positions', async () => {
    const { dir, path, stateDir } = await setup();
    appendNumbered(path, 1, 50);
    const first = startTail({ path, stateDir, maxBatchLines: 10 }, (_batch, index) => index < 2);
    await first.until('50 lines', (lines) => lines.length === 50);
    await first.stop();
    await logrotate(dir, path, ['create', 'compress']);
    appendNumbered(path, 51, 60);
    const second = startTail({ path, stateDir });
    await second.until('lines 21..60', (lines) => lines.length >= 40);
    expect(deliveredNumbers(second.lines)).toEqual(Array.from({ length: 40 }, (_, i) => i + 21));
    expect(second.lines[0]?.file).toBe(`${path}.1.gz`);
    const before = byNumber(first.lines);
    for (const line of second.lines.slice(0, 30)) {
      expect(line.position).toEqual(before.get(Number(line.text.slice(5, 11))));
    }
  });

  it('saves a commit atomically in the state directory and ignores commits older than the last one', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 5);
    const tail = startTail({ path, stateDir }, () => false);
    await tail.until('5 lines', (lines) => lines.length === 5);
    const [l1, l2, l3] = tail.lines;
    if (l1 === undefined || l2 === undefined || l3 === undefined) throw new Error('lines missing');
    await tail.tailer.commit(l3.position);
    await tail.tailer.commit(l1.position);
    await Promise.all([tail.tailer.commit(l2.position), tail.tailer.commit(l3.position)]);
    const saved = JSON.parse(await readFile(join(stateDir, `${encodeURIComponent(`file:${path}`)}.json`), 'utf8')) as unknown;
    expect(saved).toEqual({ version: 1, path, fingerprint: l3.position.fingerprint, offset: l3.position.nextOffset });
    await tail.stop();
  });

  it('with fromStart reads the file from its first byte again, with the same positions', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 20);
    const first = startTail({ path, stateDir });
    await first.until('20 lines', (lines) => lines.length === 20);
    await first.stop();
    const again = startTail({ path, stateDir, fromStart: true, exitAtEnd: true });
    await again.done;
    expect(again.lines.map((l) => l.position)).toEqual(first.lines.map((l) => l.position));
  });

  it('with exitAtEnd drains files rotated while stopped, then the file, and ends by itself', async () => {
    const { dir, path, stateDir } = await setup();
    appendNumbered(path, 1, 10);
    const first = startTail({ path, stateDir });
    await first.until('10 lines', (lines) => lines.length === 10);
    await first.stop();
    appendNumbered(path, 11, 20);
    await logrotate(dir, path, ['create']);
    appendNumbered(path, 21, 30);
    const tail = startTail({ path, stateDir, exitAtEnd: true });
    await tail.done;
    expect(deliveredNumbers(tail.lines)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
  });
});

describe('FileTailer: lines', () => {
  it('holds back a partial last line until its newline arrives', async () => {
    const { path, stateDir } = await setup();
    await writeFile(path, `${numbered(1)}\nline 0000`);
    const tail = startTail({ path, stateDir });
    await tail.until('line 1', (lines) => lines.length >= 1);
    expect(tail.lines.map((l) => l.text)).toEqual([numbered(1)]);
    await appendFile(path, `02 xx\n${numbered(3)}\n`);
    await tail.until('lines 2 and 3', (lines) => lines.length >= 3);
    expect(tail.lines.map((l) => l.text)).toEqual([numbered(1), numbered(2), numbered(3)]);
    expect(tail.lines[1]?.position.offset).toBe(numbered(1).length + 1);
  });

  it('delivers the partial last line of a rotated-away file as its final line', async () => {
    const { dir, path, stateDir } = await setup();
    await writeFile(path, `${numbered(1)}\nline 000002 xx`);
    const tail = startTail({ path, stateDir });
    await tail.until('line 1', (lines) => lines.length >= 1);
    await logrotate(dir, path, ['create']);
    appendNumbered(path, 3, 4);
    await tail.until('3 more lines', (lines) => lines.length >= 4);
    expect(tail.lines.map((l) => l.text)).toEqual([numbered(1), numbered(2), numbered(3), numbered(4)]);
    const size = (await stat(`${path}.1`)).size;
    expect(tail.lines[1]?.position.nextOffset).toBe(size);
  });

  it('reads a file that has no first line yet once it has one, and a file that appears later', async () => {
    const { path, stateDir } = await setup();
    const tail = startTail({ path, stateDir });
    await writeFile(path, numbered(1));
    await appendFile(path, '\n');
    await tail.until('line 1', (lines) => lines.length >= 1);
    expect(deliveredNumbers(tail.lines)).toEqual([1]);
  });
});

describe('FileTailer: files replaced under it', () => {
  it('after a truncate reads the new content from its start', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 30);
    const log = recordingLogger();
    const tail = startTail({ path, stateDir, log });
    await tail.until('30 lines', (lines) => lines.length === 30);
    await truncate(path, 0);
    appendNumbered(path, 31, 35);
    await tail.until('5 more lines', (lines) => lines.length >= 35);
    expect(isOneToN(deliveredNumbers(tail.lines), 35)).toBe(true);
    expect(tail.lines[30]?.position.offset).toBe(0);
    expect(log.records.some((r) => r.level === 'warn' && /truncated/.test(r.message))).toBe(true);
  });

  it('notices a truncate that was written past the old size before it looked (same inode, other first line)', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 3);
    // No change events and a long poll: the rewrite is found by the fingerprint check after the next read.
    const tail = startTail({ path, stateDir, watch: false, pollIntervalMs: 400 });
    await tail.until('3 lines', (lines) => lines.length === 3);
    const fd = openSync(path, 'r+');
    let text = '';
    for (let n = 4; n <= 60; n++) text += `${numbered(n)}\n`;
    writeSync(fd, text, 0);
    closeSync(fd);
    await tail.until('57 more lines', (lines) => lines.length >= 60);
    expect(isOneToN(deliveredNumbers(tail.lines), 60)).toBe(true);
  });

  it('after delete + recreate reads the old file to its end, then the new one', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 10);
    const tail = startTail({ path, stateDir });
    await tail.until('10 lines', (lines) => lines.length === 10);
    // A writer still holding the deleted file appends to it after the new file appeared.
    const old = openSync(path, 'a');
    await unlink(path);
    appendNumbered(path, 12, 15);
    writeSync(old, `${numbered(11)}\n`);
    closeSync(old);
    await tail.until('15 lines', (lines) => lines.length >= 15);
    expect(isOneToN(deliveredNumbers(tail.lines), 15)).toBe(true);
  });

  it('takes a file rewritten in place while stopped (same inode, other content) as a new file', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 5);
    const first = startTail({ path, stateDir });
    await first.until('5 lines', (lines) => lines.length === 5);
    await first.stop();
    const inode = (await stat(path)).ino;
    let text = '';
    for (let n = 6; n <= 40; n++) text += `${numbered(n)}\n`;
    await writeFile(path, text);
    expect((await stat(path)).ino).toBe(inode);
    const log = recordingLogger();
    const second = startTail({ path, stateDir, log });
    await second.until('35 lines', (lines) => lines.length >= 35);
    expect(deliveredNumbers(second.lines)).toEqual(Array.from({ length: 35 }, (_, i) => i + 6));
    expect(log.records.some((r) => r.level === 'warn' && /no longer there/.test(r.message))).toBe(true);
  });

  it('when the saved file is gone, resumes at the file read after it, rotated while stopped', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 3);
    const log = recordingLogger();
    // Batches of one line; the broker acknowledged the first only.
    const first = startTail({ path, stateDir, maxBatchLines: 1, log }, (_batch, index) => index === 0);
    await first.until('3 lines', (lines) => lines.length === 3);
    // Cut with no copy: lines 2 and 3 (delivered, not acknowledged) are lost with it, and the saved position's file
    // is gone for good. Line 4 starts the content read after it.
    await truncate(path, 0);
    appendNumbered(path, 4, 4);
    await first.until('line 4', (lines) => lines.length === 4);
    await first.stop();
    // While stopped: the file read after the saved one grows and is rotated away and compressed.
    appendNumbered(path, 5, 7);
    await rename(path, `${path}.1`);
    await writeFile(`${path}.1.gz`, gzipSync(await readFile(`${path}.1`)));
    await unlink(`${path}.1`);
    appendNumbered(path, 8, 9);
    const second = startTail({ path, stateDir, log });
    await second.until('lines 4..9', (lines) => lines.length >= 6);
    expect(deliveredNumbers(second.lines)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(second.lines[0]?.file).toBe(`${path}.1.gz`);
    // Line 4 again under the position it had: downstream takes it for the same event.
    expect(second.lines[0]?.position).toEqual(first.lines[3]?.position);
    expect(log.records.some((r) => /reading resumes at the file read after it/.test(r.message))).toBe(true);
  });

  it('takes a file deleted and created again while stopped as a new file, whatever inode it got', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 5);
    const first = startTail({ path, stateDir });
    await first.until('5 lines', (lines) => lines.length === 5);
    await first.stop();
    await unlink(path);
    appendNumbered(path, 6, 30);
    const second = startTail({ path, stateDir });
    await second.until('25 lines', (lines) => lines.length >= 25);
    expect(deliveredNumbers(second.lines)).toEqual(Array.from({ length: 25 }, (_, i) => i + 6));
  });

  it('keeps its place when the same content is moved into place under a new inode', async () => {
    const { path, stateDir } = await setup();
    appendNumbered(path, 1, 10);
    const tail = startTail({ path, stateDir });
    await tail.until('10 lines', (lines) => lines.length === 10);
    await writeFile(`${path}.tmp`, await readFile(path));
    await appendFile(`${path}.tmp`, `${numbered(11)}\n`);
    await rename(`${path}.tmp`, path);
    appendNumbered(path, 12, 12);
    await tail.until('12 lines', (lines) => lines.length >= 12);
    expect(isOneToN(deliveredNumbers(tail.lines), 12)).toBe(true);
  });
});

describe('FileTailer: rotation while the agent was stopped', () => {
  const cases: { name: string; rotate: (dir: string, path: string) => Promise<string> }[] = [
    { name: 'plain (auth.log.1)', rotate: async (dir, path) => (await logrotate(dir, path, ['create']), `${path}.1`) },
    { name: 'compressed (auth.log.1.gz)', rotate: async (dir, path) => (await logrotate(dir, path, ['create', 'compress']), `${path}.1.gz`) },
    {
      name: 'dateext (auth.log-20260101.gz)',
      rotate: async (_dir, path) => {
        await writeFile(`${path}-20260101.gz`, gzipSync(await readFile(path)));
        await unlink(path);
        return `${path}-20260101.gz`;
      },
    },
    { name: 'copytruncate (auth.log.1)', rotate: async (dir, path) => (await logrotate(dir, path, ['copytruncate']), `${path}.1`) },
  ];
  for (const c of cases) {
    it(`drains the rotated file from the saved position, then reads the new file: ${c.name}`, async () => {
      const { dir, path, stateDir } = await setup();
      appendNumbered(path, 1, 10);
      const first = startTail({ path, stateDir });
      await first.until('10 lines', (lines) => lines.length === 10);
      await first.stop();
      appendNumbered(path, 11, 20);
      const rotated = await c.rotate(dir, path);
      appendNumbered(path, 21, 25);
      const second = startTail({ path, stateDir });
      await second.until('15 lines', (lines) => lines.length >= 15);
      expect(deliveredNumbers(second.lines)).toEqual(Array.from({ length: 15 }, (_, i) => i + 11));
      expect(second.lines[0]?.file).toBe(rotated);
      expect(second.lines[0]?.position.fingerprint).toBe(first.lines[0]?.position.fingerprint);
      expect(second.lines[0]?.position.offset).toBe(first.lines[9]?.position.nextOffset);
    });
  }

  it('drains every file rotated after the saved one, oldest first', async () => {
    const { dir, path, stateDir } = await setup();
    appendNumbered(path, 1, 10);
    const first = startTail({ path, stateDir });
    await first.until('10 lines', (lines) => lines.length === 10);
    await first.stop();
    appendNumbered(path, 11, 20);
    await logrotate(dir, path, ['create', 'compress', 'delaycompress']);
    appendNumbered(path, 21, 30);
    await logrotate(dir, path, ['create', 'compress', 'delaycompress']);
    appendNumbered(path, 31, 40);
    await logrotate(dir, path, ['create', 'compress', 'delaycompress']);
    appendNumbered(path, 41, 45);
    const second = startTail({ path, stateDir });
    await second.until('35 lines', (lines) => lines.length >= 35);
    expect(deliveredNumbers(second.lines)).toEqual(Array.from({ length: 35 }, (_, i) => i + 11));
    expect([...new Set(second.lines.map((l) => l.file))]).toEqual([`${path}.3.gz`, `${path}.2.gz`, `${path}.1`, path]);
  });
});
