import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, open, readdir, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool, SpoolCorruptError, SpoolFullError, type SpoolEntry } from '../../src/delivery/spool.js';

const entry = (i: number, size = 10): SpoolEntry => ({
  subject: `hostwatch.web-01.ssh`,
  headers: { 'Nats-Msg-Id': `web-01.ssh.f.${i}` },
  data: new Uint8Array(size).fill(i % 256),
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hostwatch-spool-'));
}

describe('Spool', () => {
  it('keeps entries in order across segments and reopening, and forgets only what was acked', async () => {
    const dir = await tempDir();
    let spool = await Spool.open(dir, { segmentBytes: 300 });
    for (let i = 0; i < 20; i++) await spool.append(entry(i));
    expect(spool.depth).toBe(20);
    expect((await readdir(dir)).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(1);

    const first = await spool.peek(5);
    expect(first.map((e) => e.headers['Nats-Msg-Id'])).toEqual(
      [0, 1, 2, 3, 4].map((i) => `web-01.ssh.f.${i}`),
    );
    expect(first[3]?.data).toEqual(new Uint8Array(10).fill(3));
    await spool.ack(7);
    await spool.close();

    spool = await Spool.open(dir, { segmentBytes: 300 });
    expect(spool.depth).toBe(13);
    const rest = await spool.peek(100);
    expect(rest.map((e) => e.headers['Nats-Msg-Id'])).toEqual(
      Array.from({ length: 13 }, (_, k) => `web-01.ssh.f.${k + 7}`),
    );
    await spool.ack(13);
    expect(spool.depth).toBe(0);
    expect(await spool.peek(10)).toEqual([]);
    await spool.append(entry(99));
    expect((await spool.peek(10)).map((e) => e.headers['Nats-Msg-Id'])).toEqual(['web-01.ssh.f.99']);
    await spool.close();
    expect((await readdir(dir)).filter((f) => f.endsWith('.seg')).length).toBe(1);
  });

  it('cuts off a record torn by a crash and keeps the whole ones', async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir);
    await spool.append(entry(1));
    await spool.append(entry(2));
    await spool.close();
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.seg'));
    const path = join(dir, segment!);
    const whole = (await stat(path)).size;
    const handle = await open(path, 'a');
    await handle.write(Buffer.from([0, 0, 0, 50, 1, 2, 3]));
    await handle.close();

    const reopened = await Spool.open(dir);
    expect(reopened.depth).toBe(2);
    expect((await stat(path)).size).toBe(whole);
    await reopened.append(entry(3));
    expect((await reopened.peek(10)).map((e) => e.headers['Nats-Msg-Id'])).toEqual(
      [1, 2, 3].map((i) => `web-01.ssh.f.${i}`),
    );
    await reopened.close();
  });

  it('refuses an entry past its size limit and says so', async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir, { maxBytes: 500 });
    let stored = 0;
    let refused: unknown;
    for (let i = 0; i < 50 && !refused; i++) {
      try {
        await spool.append(entry(i, 40));
        stored++;
      } catch (err) {
        refused = err;
      }
    }
    expect(refused).toBeInstanceOf(SpoolFullError);
    expect(String(refused)).toMatch(/the limit is 500/);
    expect(spool.depth).toBe(stored);
    await spool.ack(1);
    await expect(spool.append(entry(100, 40))).resolves.toBeUndefined();
    await spool.close();
  });

  it('hands out only records whose append completed, never a part of one being written', async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir);
    await spool.append(entry(1, 6000));
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.seg'));
    // An append in progress: its length header and the first page of its body are in the file,
    // the rest not yet (a reader can see a multi-page write in part).
    const header = Buffer.alloc(8);
    header.writeUInt32BE(9000, 0);
    await appendFile(join(dir, segment!), Buffer.concat([header, Buffer.alloc(4088, 7)]));

    const peeked = await spool.peek(64);
    expect(peeked.map((e) => e.headers['Nats-Msg-Id'])).toEqual(['web-01.ssh.f.1']);
    expect(peeked[0]?.data).toEqual(new Uint8Array(6000).fill(1));
    await spool.close();
  });

  it('replays every entry whole and once while large entries are appended during the replay', async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir, { segmentBytes: 256 * 1024 });
    const appended = new Map<string, Buffer>();
    const replayed: string[] = [];
    let appending = true;
    const writer = (async () => {
      for (let i = 0; i < 150; i++) {
        const data = randomBytes(5_000 + ((i * 7919) % 20_000));
        const id = `web-01.ssh.f.${i}`;
        appended.set(id, data);
        await spool.append({ subject: 'hostwatch.web-01.ssh', headers: { 'Nats-Msg-Id': id }, data });
      }
      appending = false;
    })();
    while (appending || spool.depth > 0) {
      const batch = await spool.peek(64);
      for (const e of batch) {
        const id = e.headers['Nats-Msg-Id']!;
        expect(Buffer.from(e.data).equals(appended.get(id)!), `entry ${id} read back whole`).toBe(true);
        replayed.push(id);
        await spool.ack(1);
      }
      if (batch.length === 0) await new Promise((r) => setImmediate(r));
    }
    await writer;
    expect(replayed).toEqual([...appended.keys()]);
    await spool.close();
  });

  it('says so when a record it counts as stored no longer reads back whole', async () => {
    const dir = await tempDir();
    const spool = await Spool.open(dir);
    await spool.append(entry(1, 100));
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.seg'));
    const path = join(dir, segment!);
    const bytes = await readFile(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(path, bytes);
    await expect(spool.peek(10)).rejects.toBeInstanceOf(SpoolCorruptError);
    await expect(spool.peek(10)).rejects.toThrow(/damaged on disk/);
    await spool.close();
  });
});
