import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, type Database } from '@hostwatch/db';
import { createTestDatabase, startSmtpServer, waitFor, type TestSmtpServer } from '@hostwatch/testkit';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailNotifier, OutboxSender, enqueueMail, mailMessageId, silentLog } from '../src/index.js';

// RFC 5321 4.5.3.2: give up soon before the message is handed over (a retry is safe), wait long for
// the reply after the final dot (the server may have accepted the mail; a retry would send it twice).
const SHORT_MS = 200;

let db: Kysely<Database>;
let smtp: TestSmtpServer;
let notifier: EmailNotifier;

beforeEach(async () => {
  db = createDb(await createTestDatabase('alerter'));
  smtp = await startSmtpServer();
  notifier = new EmailNotifier({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    user: undefined,
    password: undefined,
    from: 'hostwatch@example.com',
    connectTimeoutMs: SHORT_MS,
    handoverTimeoutMs: SHORT_MS,
    finalReplyTimeoutMs: 120_000,
  });
});

afterEach(async () => {
  notifier.close();
  await smtp.stop();
  await db.destroy();
});

async function queueOne(): Promise<string> {
  const messageId = mailMessageId('stall', 'one');
  await enqueueMail(db, { messageId, kind: 'alert', recipients: ['ops@example.com'], subject: 'stall', body: 'body', at: Date.now() - 1_000 });
  return messageId;
}

async function outboxRow() {
  return db.selectFrom('alerter_outbox').select(['status', 'attempts', 'last_error']).executeTakeFirstOrThrow();
}

describe('SMTP timeouts per phase', () => {
  it('a server that took the message and replies late, after the short timeouts: delivered exactly once', async () => {
    const id = await queueOne();
    const release = smtp.hold('message');
    const sender = new OutboxSender({ db, sender: notifier, replica: 'a', clock: Date.now, log: silentLog, retryMinMs: 10, leaseMs: 180_000 });
    const sending = sender.sendDue();
    await waitFor('the server to take the message', () => (smtp.taken === 1 ? true : undefined));
    // Stall well past the connect and handover timeouts: a client timing the final reply with them
    // would have given up by now and sent the mail again when retried below.
    await sleep(SHORT_MS * 5);
    release();
    expect(await sending).toBe(1);
    await sleep(50);
    expect(await sender.sendDue()).toBe(0);
    expect(await outboxRow()).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(smtp.taken).toBe(1);
    expect(smtp.mails.map((m) => m.parsed.messageId)).toEqual([id]);
  });

  it('a server that stalls before it has the message: given up after the handover timeout, retried, delivered once', async () => {
    const id = await queueOne();
    const release = smtp.hold('recipient');
    let now = Date.now();
    const sender = new OutboxSender({ db, sender: notifier, replica: 'a', clock: () => now, log: silentLog, retryMinMs: 1_000, leaseMs: 180_000 });
    expect(await sender.sendDue()).toBe(1);
    const failed = await outboxRow();
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failed.last_error).toMatch(/not handed over within 200 ms/);
    expect(smtp.taken).toBe(0);

    release();
    now += 1_000;
    expect(await sender.sendDue()).toBe(1);
    expect(await outboxRow()).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(smtp.taken).toBe(1);
    expect(smtp.mails.map((m) => m.parsed.messageId)).toEqual([id]);
  });
});
