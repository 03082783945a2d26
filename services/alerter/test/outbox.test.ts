import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createDb, type Database } from '@hostwatch/db';
import { createTestDatabase, startSmtpServer, waitFor, type TestSmtpServer } from '@hostwatch/testkit';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailNotifier, OutboxSender, enqueueMail, mailMessageId, silentLog } from '../src/index.js';

// Mails are queued at this time, always before any clock a test starts, so they are due at once.
const QUEUED_AT = Date.now();
let db: Kysely<Database>;
let smtp: TestSmtpServer;
const notifiers: EmailNotifier[] = [];

function notifier(timeoutMs = 5_000): EmailNotifier {
  const n = new EmailNotifier({ host: smtp.host, port: smtp.port, secure: false, user: undefined, password: undefined, from: 'hostwatch@example.com', connectTimeoutMs: timeoutMs, handoverTimeoutMs: timeoutMs, finalReplyTimeoutMs: 30_000 });
  notifiers.push(n);
  return n;
}

async function queue(count: number, prefix = 'mail'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const messageId = mailMessageId(prefix, String(i));
    ids.push(messageId);
    await enqueueMail(db, { messageId, kind: 'alert', recipients: ['ops@example.com'], subject: `${prefix} ${i}`, body: `body ${i}`, at: QUEUED_AT });
  }
  return ids;
}

async function statuses(): Promise<Record<string, number>> {
  const rows = await db.selectFrom('alerter_outbox').select(['status']).execute();
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

beforeEach(async () => {
  db = createDb(await createTestDatabase('alerter'));
  smtp = await startSmtpServer();
});

afterEach(async () => {
  for (const n of notifiers.splice(0)) n.close();
  await smtp.stop();
  await db.destroy();
});

describe('outbox', () => {
  it('queues a Message-ID once however often it is enqueued', async () => {
    const messageId = mailMessageId('same');
    const mail = { messageId, kind: 'alert' as const, recipients: ['a@example.com'], subject: 's', body: 'b' };
    expect(await enqueueMail(db, mail)).toBe(true);
    expect(await enqueueMail(db, mail)).toBe(false);
    expect(await statuses()).toEqual({ pending: 1 });
  });

  it('delivers every mail exactly once after the SMTP server was down', async () => {
    await smtp.stop();
    const ids = await queue(3);
    const sender = new OutboxSender({ db, sender: notifier(), replica: 'a', clock: Date.now, log: silentLog, retryMinMs: 20, retryMaxMs: 200 });
    await sender.sendDue();
    const failed = await db.selectFrom('alerter_outbox').select(['attempts', 'last_error', 'status']).execute();
    expect(failed.every((r) => r.status === 'pending' && r.attempts === 1 && /ECONNREFUSED|connect/i.test(r.last_error ?? ''))).toBe(true);

    sender.start();
    await waitFor('a few more refused attempts', async () => {
      const rows = await db.selectFrom('alerter_outbox').select('attempts').execute();
      return rows.every((r) => r.attempts >= 3) ? true : undefined;
    });
    await smtp.start();
    await waitFor('all sent', async () => ((await statuses())['sent'] === 3 ? true : undefined));
    await sender.stop();
    expect(await sender.sendDue()).toBe(0);
    expect(smtp.mails.map((m) => m.parsed.messageId).sort()).toEqual([...ids].sort());
  });

  it('SMTP down for 2 minutes of the sender\'s clock, then up: every mail delivered once', async () => {
    const ids = await queue(5, 'outage');
    await smtp.stop();
    let now = Date.now() + 1_000;
    const start = now;
    const sender = new OutboxSender({ db, sender: notifier(), replica: 'a', clock: () => now, log: silentLog, retryMinMs: 5_000, retryMaxMs: 60_000 });
    let attempts = 0;
    while (now - start < 120_000) {
      attempts += await sender.sendDue();
      now += 1_000;
    }
    // 5 mails retried at 5 s, 10 s, 20 s, 40 s, 60 s... apart within the two minutes: 5 attempts each (t = 0, 5, 15, 35, 75 s).
    expect(attempts).toBe(25);
    expect(smtp.mails).toHaveLength(0);
    await smtp.start();
    while ((await statuses())['sent'] !== 5) {
      await sender.sendDue();
      now += 1_000;
    }
    expect(await sender.sendDue()).toBe(0);
    expect(smtp.mails.map((m) => m.parsed.messageId).sort()).toEqual([...ids].sort());
    const rows = await db.selectFrom('alerter_outbox').select(['attempts', 'status']).execute();
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 6)).toBe(true);
  });

  it('retries a 451 and a 421 reply later', async () => {
    let now = Date.now() + 1_000;
    const sender = new OutboxSender({ db, sender: notifier(), replica: 'a', clock: () => now, log: silentLog, retryMinMs: 60_000 });
    const [id] = await queue(1);
    smtp.failWith(451);
    expect(await sender.sendDue()).toBe(1);
    let row = await db.selectFrom('alerter_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/451/);
    expect(row.next_attempt_at.getTime()).toBe(now + 60_000);
    expect(await sender.sendDue()).toBe(0);

    smtp.failWith(421);
    now += 60_000;
    expect(await sender.sendDue()).toBe(1);
    row = await db.selectFrom('alerter_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row.next_attempt_at.getTime()).toBe(now + 120_000);

    smtp.failWith(null);
    now += 120_000;
    expect(await sender.sendDue()).toBe(1);
    expect(await statuses()).toEqual({ sent: 1 });
    expect(smtp.mails.map((m) => m.parsed.messageId)).toEqual([id]);
  });

  it('marks a 550 failed with the reason and never retries it', async () => {
    let now = Date.now() + 1_000;
    const sender = new OutboxSender({ db, sender: notifier(), replica: 'a', clock: () => now, log: silentLog, retryMinMs: 10 });
    await queue(1);
    smtp.failWith(550);
    expect(await sender.sendDue()).toBe(1);
    smtp.failWith(null);
    now += 3_600_000;
    expect(await sender.sendDue()).toBe(0);
    const row = await db.selectFrom('alerter_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/550/);
    expect(smtp.mails).toHaveLength(0);
  });

  it('gives up on a transient failure after the give-up time', async () => {
    let now = Date.now() + 1_000;
    const sender = new OutboxSender({ db, sender: notifier(), replica: 'a', clock: () => now, log: silentLog, retryMinMs: 10, giveUpAfterMs: 3_600_000 });
    await queue(1);
    smtp.failWith(451);
    await sender.sendDue();
    now += 3_600_000;
    await sender.sendDue();
    expect(await statuses()).toEqual({ failed: 1 });
  });

  it('two replicas send each mail once', async () => {
    const ids = await queue(30);
    const a = new OutboxSender({ db, sender: notifier(), replica: 'a', clock: Date.now, log: silentLog, batchSize: 3 });
    const b = new OutboxSender({ db, sender: notifier(), replica: 'b', clock: Date.now, log: silentLog, batchSize: 3 });
    const drain = async (s: OutboxSender): Promise<number> => {
      let total = 0;
      for (let n = await s.sendDue(); n > 0; n = await s.sendDue()) total += n;
      return total;
    };
    const [sentA, sentB] = await Promise.all([drain(a), drain(b)]);
    expect(sentA + sentB).toBe(30);
    expect(sentA).toBeGreaterThan(0);
    expect(sentB).toBeGreaterThan(0);
    expect(smtp.mails.map((m) => m.parsed.messageId).sort()).toEqual([...ids].sort());
    const byReplica = await db.selectFrom('alerter_outbox').select('claimed_by').distinct().execute();
    expect(byReplica.map((r) => r.claimed_by).sort()).toEqual(['a', 'b']);
  });

  it('a replica that died holding a claim: the mail is sent by another after the lease, once, with the same Message-ID', async () => {
    const [id] = await queue(1);
    let now = Date.now() + 1_000;
    const hung = new OutboxSender({ db, sender: { send: () => new Promise<void>(() => undefined) }, replica: 'dead', clock: () => now, log: silentLog, leaseMs: 60_000 });
    void hung.sendDue();
    await waitFor('claimed by the dead replica', async () => {
      const row = await db.selectFrom('alerter_outbox').select('claimed_by').executeTakeFirst();
      return row?.claimed_by === 'dead' ? true : undefined;
    });
    const other = new OutboxSender({ db, sender: notifier(), replica: 'b', clock: () => now, log: silentLog, leaseMs: 60_000 });
    expect(await other.sendDue()).toBe(0);
    now += 60_000;
    expect(await other.sendDue()).toBe(1);
    expect(await other.sendDue()).toBe(0);
    expect(smtp.mails.map((m) => m.parsed.messageId)).toEqual([id]);
  });

  it('times out on a server that never greets, after the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as AddressInfo).port;
    const mute = new EmailNotifier({ host: '127.0.0.1', port, secure: false, user: undefined, password: undefined, from: 'h@example.com', connectTimeoutMs: 300, handoverTimeoutMs: 60_000, finalReplyTimeoutMs: 60_000 });
    await queue(1);
    const sender = new OutboxSender({ db, sender: mute, replica: 'a', clock: Date.now, log: silentLog });
    await sender.sendDue();
    const row = await db.selectFrom('alerter_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/ETIMEDOUT: Greeting never received/);
    mute.close();
    for (const s of sockets) s.destroy();
    silent.close();
  });
});
