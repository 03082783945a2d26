import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAuthLog } from '../../src/sources/detect-auth-log.js';
import { NoAuthLogError } from '../../src/sources/no-auth-log-error.js';
import { FAKE_JOURNALCTL, appendJournal, sshdRecord } from './journal-fixture.js';
import { tempDir } from './tail-harness.js';

async function root(files: Record<string, string | null>): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'var/log'), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await mkdir(join(dir, path), { recursive: true });
    else await writeFile(join(dir, path), content);
  }
  return dir;
}

describe('detectAuthLog', () => {
  it('prefers /var/log/auth.log', async () => {
    const dir = await root({ 'var/log/auth.log': '', 'var/log/secure': '' });
    expect(await detectAuthLog({ root: dir })).toEqual({ kind: 'file', path: join(dir, '/var/log/auth.log') });
  });

  it('takes /var/log/secure where there is no auth.log, and passes over what is not a file', async () => {
    const dir = await root({ 'var/log/auth.log': null, 'var/log/secure': 'x\n' });
    expect(await detectAuthLog({ root: dir })).toEqual({ kind: 'file', path: join(dir, '/var/log/secure') });
  });

  it('takes a configured list in its order', async () => {
    const dir = await root({ 'var/log/auth.log': '', 'var/log/messages': '' });
    expect(await detectAuthLog({ root: dir, candidates: ['/var/log/messages', '/var/log/auth.log'] })).toEqual({
      kind: 'file',
      path: join(dir, '/var/log/messages'),
    });
  });

  it('falls back to the journal when journalctl shows records', async () => {
    const dir = await root({});
    const journal = join(dir, 'journal.jsonl');
    appendJournal(journal, [sshdRecord(1, 1)]);
    expect(await detectAuthLog({ root: dir, journalctl: FAKE_JOURNALCTL, journalArgs: ['--file', journal] })).toEqual({ kind: 'journal' });
  });

  it('says what it tried and what to do when there is neither (real journalctl, empty journal)', async () => {
    const dir = await root({ 'var/log/auth.log': null });
    await mkdir(join(dir, 'journal'));
    const err = await detectAuthLog({ root: dir, journalArgs: ['--directory', join(dir, 'journal')] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoAuthLogError);
    const message = (err as NoAuthLogError).message;
    expect(message).toContain(`${join(dir, '/var/log/auth.log')}: not a regular file`);
    expect(message).toContain(`${join(dir, '/var/log/secure')}: does not exist`);
    expect(message).toContain('the journal: journalctl shows no records');
    expect(message).toMatch(/group 'adm'.*configure the log file's path/);
  });

  it('names a journalctl that is not installed', async () => {
    const dir = await root({});
    await expect(detectAuthLog({ root: dir, journalctl: join(dir, 'journalctl') })).rejects.toThrow(/journalctl is not installed/);
  });
});
