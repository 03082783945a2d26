import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJournalRecord, SyslogClock } from '@hostwatch/auth-log';
import { waitFor } from '@hostwatch/testkit';
import { onTestFinished, describe, expect, it } from 'vitest';
import { JournalError } from '../../src/sources/journal-error.js';
import { journalPosition, type JournalRecord } from '../../src/sources/journal-record.js';
import { JournalSource, type JournalSourceOptions } from '../../src/sources/journal-source.js';
import { PositionStore } from '../../src/sources/position-store.js';
import { FAKE_JOURNALCTL, appendJournal, journalRecord, sshdRecord } from './journal-fixture.js';
import { tempDir } from './tail-harness.js';

interface Run {
  readonly source: JournalSource;
  readonly records: JournalRecord[];
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

function run(options: Partial<JournalSourceOptions> & { stateDir: string }, commit = true): Run {
  const source = new JournalSource({ ...options, positions: new PositionStore(options.stateDir) });
  const records: JournalRecord[] = [];
  const done = (async () => {
    for await (const batch of source) {
      records.push(...batch);
      const last = batch.at(-1);
      if (commit && last !== undefined) await source.commit(last.position);
    }
  })();
  done.catch(() => undefined);
  const r: Run = {
    source,
    records,
    done,
    stop: async () => {
      source.stop();
      await done;
    },
  };
  onTestFinished(() => r.stop().catch(() => undefined));
  return r;
}

const messages = (records: readonly JournalRecord[]): string[] =>
  records.map((r) => (JSON.parse(r.text) as { MESSAGE: string }).MESSAGE);

async function journalFile(): Promise<{ dir: string; file: string; options: Partial<JournalSourceOptions> & { stateDir: string } }> {
  const dir = await tempDir();
  const file = join(dir, 'journal.jsonl');
  await writeFile(file, '');
  return { dir, file, options: { journalctl: FAKE_JOURNALCTL, extraArgs: ['--file', file], stateDir: join(dir, 'state') } };
}

describe('JournalSource', () => {
  it('reads the auth and authpriv records of the whole journal on its first run, then follows', async () => {
    const { file, options } = await journalFile();
    appendJournal(file, [
      sshdRecord(1, 1),
      journalRecord(2, { identifier: 'CRON', facility: 9, message: 'pam_unix(cron:session): session opened for user root' }),
      journalRecord(3, { identifier: 'sudo', facility: 10, message: 'alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/true' }),
      sshdRecord(4, 2),
    ]);
    const r = run(options);
    await waitFor('3 records', () => (r.records.length >= 3 ? true : undefined), { timeoutMs: 10_000 });
    appendJournal(file, [sshdRecord(5, 3)]);
    await waitFor('the appended record', () => (r.records.length >= 4 ? true : undefined), { timeoutMs: 10_000 });
    expect(r.records.map((x) => x.position.cursor)).toEqual([1, 3, 4, 5].map((seq) => sshdRecord(seq, 0).__CURSOR));
    // The sequence number in the cursor is the offset of a message id; the seqnum id names the journal.
    expect(r.records.map((x) => x.position.offset)).toEqual([1, 3, 4, 5]);
    expect(r.records[0]?.position.fingerprint).toBe('journal:8f1c2b7d4e5a4c3b9a1d0e2f3c4b5a69');
    expect(messages(r.records)[1]).toMatch(/^alice : TTY=pts\/0/);
    // What is delivered is what the shared parser reads.
    const parsed = parseJournalRecord(r.records[0]?.text ?? '', new SyslogClock({ now: new Date('2025-11-23T12:00:00Z') }));
    expect(parsed).toMatchObject({ host: 'web-01', program: 'sshd', message: expect.stringMatching(/^Accepted publickey for user1 /) as unknown });
  });

  it('starts after the committed cursor; after a crash the uncommitted records come again with the same cursors', async () => {
    const { file, options } = await journalFile();
    appendJournal(file, Array.from({ length: 10 }, (_, i) => sshdRecord(i + 1, i + 1)));
    const first = run({ ...options, exitAtEnd: true, maxBatchRecords: 4 }, false);
    await first.done;
    expect(first.records).toHaveLength(10);
    // The broker acknowledged up to the 6th record only.
    await first.source.commit({ cursor: first.records[5]?.position.cursor ?? '' });

    const second = run({ ...options, exitAtEnd: true });
    await second.done;
    expect(second.records).toEqual(first.records.slice(6));
    appendJournal(file, [sshdRecord(11, 11)]);
    const third = run({ ...options, exitAtEnd: true });
    await third.done;
    expect(third.records.map((x) => x.position.cursor)).toEqual([sshdRecord(11, 11).__CURSOR]);
  });

  it('with fromStart ignores the saved cursor', async () => {
    const { file, options } = await journalFile();
    appendJournal(file, [sshdRecord(1, 1), sshdRecord(2, 2)]);
    const first = run({ ...options, exitAtEnd: true });
    await first.done;
    const again = run({ ...options, exitAtEnd: true, fromStart: true });
    await again.done;
    expect(again.records).toEqual(first.records);
  });

  it('fails with journalctl\'s own words when the real journalctl cannot open the journal', async () => {
    const dir = await tempDir();
    const r = run({ stateDir: join(dir, 'state'), extraArgs: ['--directory', join(dir, 'no-such-journal')] });
    const err = await r.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JournalError);
    expect((err as JournalError).message).toMatch(/journalctl exited with code 1: .*no-such-journal.*No such file or directory/);
  });

  it('fails clearly when journalctl is not there', async () => {
    const dir = await tempDir();
    const r = run({ stateDir: join(dir, 'state'), journalctl: join(dir, 'journalctl') });
    await expect(r.done).rejects.toThrow(/cannot run .*journalctl: spawn .* ENOENT/);
  });

  it('ends a following journalctl on stop', async () => {
    const { file, options } = await journalFile();
    appendJournal(file, [sshdRecord(1, 1)]);
    const r = run(options);
    await waitFor('1 record', () => (r.records.length >= 1 ? true : undefined), { timeoutMs: 10_000 });
    // The iteration ends only once journalctl's output closed, that is once it was ended.
    await r.stop();
    expect(r.source.committed).toBe(sshdRecord(1, 0).__CURSOR);
  });
});

describe('journalPosition', () => {
  it('takes the seqnum id and number of a real cursor, and names any other cursor by its hash', () => {
    const cursor = 's=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c6013a8b34d8e8c9f4b4f0e3e7d5c;m=1bc7f3;t=5c14ab9dd7a31;x=7f4c1cc4e11d0e7a';
    expect(journalPosition(cursor)).toEqual({ fingerprint: 'journal:739ad463348b4ceca5a9e69c95a3c93f', offset: 0x4ece7, cursor });
    const odd = journalPosition('not a cursor');
    expect(odd.fingerprint).toMatch(/^journal-cursor:[0-9a-f]{64}$/);
    expect(odd.offset).toBe(0);
  });
});
