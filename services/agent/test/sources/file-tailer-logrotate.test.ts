import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LineWriter, deliveredNumbers, logrotate, numbersOnDisk, startTail, tempDir } from './tail-harness.js';

interface Mode {
  readonly name: string;
  readonly directives: readonly string[];
  /** The writer keeps its file open until postrotate "HUPs" it, like rsyslog; else it reopens per line. */
  readonly hup?: boolean;
  /** copytruncate loses what is written between its copy and its truncate, on disk and so for the tailer. */
  readonly lossy?: boolean;
}

// Each mode of Debian's logrotate, run for real three times while a writer appends numbered lines without pause.
const MODES: readonly Mode[] = [
  { name: 'create (rename + create)', directives: ['create'] },
  { name: 'create, compress', directives: ['create', 'compress'] },
  { name: 'create, compress, delaycompress', directives: ['create', 'compress', 'delaycompress'] },
  { name: 'nocreate (rename; the writer creates the file)', directives: ['nocreate'] },
  { name: 'dateext, create, compress', directives: ['create', 'compress', 'dateext', 'dateformat -%Y%m%d-%s'] },
  { name: 'create, delaycompress, writer reopens on postrotate (rsyslog)', directives: ['create', 'compress', 'delaycompress'], hup: true },
  // The writer still appends to the renamed file while gzip reads it: those lines are in no file on disk, but the
  // tailer, which holds the renamed file open, must still deliver them.
  { name: 'create, compress, writer reopens on postrotate', directives: ['create', 'compress'], hup: true },
  { name: 'copytruncate', directives: ['copytruncate'], lossy: true },
  { name: 'copytruncate, compress', directives: ['copytruncate', 'compress'], lossy: true },
  { name: 'copytruncate, compress, delaycompress', directives: ['copytruncate', 'compress', 'delaycompress'], lossy: true },
  { name: 'copytruncate, writer keeps its file open', directives: ['copytruncate'], hup: true, lossy: true },
];

describe('FileTailer under real logrotate and continuous writes', () => {
  for (const mode of MODES) {
    it(`delivers every line exactly once, in order: ${mode.name}`, async () => {
      const dir = await tempDir();
      const path = join(dir, 'auth.log');
      const hupFile = join(dir, 'hup');
      // The rsyslog-like writer pauses between lines, so the tailer reaches the end of the renamed file while the
      // writer is still appending to it: only the grace time keeps those lines from being left behind.
      const writer = new LineWriter(path, mode.hup === true ? { hupFile, hupDelayMs: 150, linesPerTick: 2, tickMs: 10 } : {});
      const directives = mode.hup === true ? [...mode.directives, `postrotate\n    touch ${hupFile}\n  endscript`] : mode.directives;
      const tail = startTail({ path, stateDir: join(dir, 'state') });
      let rotated: string | undefined;
      for (let rotation = 0; rotation < 3; rotation++) {
        const before = tail.lines.length;
        // Rotations are hours apart in life: the next one waits until the tailer reads the file the last one made.
        await tail.until(
          `lines after rotation ${rotation}`,
          (lines) => lines.length > before + 30 && lines.at(-1)?.position.fingerprint !== rotated,
        );
        rotated = tail.lines.at(-1)?.position.fingerprint;
        await logrotate(dir, path, directives);
        // dateext names a rotated file by the second; the next rotation must not reuse the name.
        if (mode.directives.includes('dateext')) await sleep(1100);
      }
      const written = await writer.stop();
      const onDisk = await numbersOnDisk(dir, 'auth.log');
      if (mode.lossy === true) {
        await tail.until(`every line on disk (${onDisk.size} of ${written} written)`, (lines) => {
          const got = new Set(deliveredNumbers(lines));
          return [...onDisk].every((n) => got.has(n));
        });
      } else {
        await tail.until(`all ${written} lines`, (lines) => lines.length >= written);
      }
      const numbers = deliveredNumbers(tail.lines);
      // Strictly increasing: no line twice, none out of order.
      expect(numbers.every((n, i) => i === 0 || n > (numbers[i - 1] ?? 0))).toBe(true);
      if (mode.lossy !== true) {
        // Renaming loses nothing, so nothing may be missing.
        expect(numbers).toHaveLength(written);
        expect(Math.max(...numbers)).toBe(written);
      } else {
        // copytruncate loses what was written between its copy and its truncate: that is on no disk and may be
        // missing; everything else was delivered (checked above).
        expect(numbers.length).toBeGreaterThanOrEqual(onDisk.size);
      }
      // The committed position is the end of the last line, or the start of a file no line was read from yet.
      await tail.stop();
      const last = tail.lines.at(-1);
      const committed = tail.tailer.committed;
      const atLastLine = committed?.fingerprint === last?.position.fingerprint && committed?.offset === last?.position.nextOffset;
      const atNextFile = committed !== undefined && !tail.lines.some((l) => l.position.fingerprint === committed.fingerprint);
      expect(atLastLine || atNextFile).toBe(true);
    });
  }
});
