import { join } from 'node:path';
import { writeKeyFile } from '@hostwatch/envelope';
import { freePort, waitFor } from '@hostwatch/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAlerterProcess } from './support/alerter-process.js';
import { T0, createAlerterWorld, sshEvent, type AlerterWorld } from './support/alerter-world.js';
import { startHungSmtpServer } from './support/hung-smtp-server.js';

let world: AlerterWorld;
beforeEach(async () => {
  world = await createAlerterWorld();
});
afterEach(async () => {
  await world.dispose();
});

describe('kill -9 of the alerter mid-send', () => {
  it('sends the mail again at most once, with the same Message-ID', async () => {
    await world.writeRules(`<clients><client host="app" mail="app@example.com" /></clients>`);
    const app = await world.host('app');
    const keyFile = join(world.dir, 'collector.key');
    await writeKeyFile(keyFile, world.collector);
    const hung = await startHungSmtpServer();
    const env = {
      NATS_URL: world.nats.url,
      DATABASE_URL: world.databaseUrl,
      COLLECTOR_KEY_FILE: keyFile,
      RULES_FILE: world.rulesFile,
      EMAIL_FROM: 'hostwatch@example.com',
      EMAIL_CONNECT_TIMEOUT: '3s',
      EMAIL_HANDOVER_TIMEOUT: '3s',
      // The hung server never replies to the final dot: the first replica would wait this long, and the second waits out its claim.
      EMAIL_FINAL_REPLY_TIMEOUT: '3s',
      SECURITY_DIGEST_WINDOW: '0',
      ALERT_EVALUATION_INTERVAL: '100ms',
    };
    const first = startAlerterProcess({ ...env, EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(hung.port), HEALTH_PORT: String(await freePort()), ALERTER_REPLICA: 'first' });
    try {
      await world.ssh(app, 'm1', [sshEvent('e1', T0, 'accepted', { source: '192.0.2.1', user: 'alice' })]);
      await waitFor('the hung server to take the message', () => (hung.messageIds.length > 0 ? true : undefined));
      expect(await first.kill('SIGKILL')).toBe('SIGKILL');
    } finally {
      await first.kill('SIGKILL');
      await hung.close();
    }
    const [claimed] = await world.outbox();
    expect(claimed).toMatchObject({ status: 'pending', claimed_by: 'first', attempts: 1 });

    const second = startAlerterProcess({ ...env, EMAIL_HOST: world.smtp.host, EMAIL_PORT: String(world.smtp.port), HEALTH_PORT: String(await freePort()), ALERTER_REPLICA: 'second' });
    try {
      const [mail] = await world.smtp.waitForMails(1);
      expect(mail?.parsed.messageId).toBe(hung.messageIds[0]);
      await waitFor('the outbox to record the send', async () => ((await world.outbox())[0]?.status === 'sent' ? true : undefined));
      const [sent] = await world.outbox();
      expect(sent).toMatchObject({ status: 'sent', claimed_by: 'second', attempts: 2 });
      expect(world.smtp.mails).toHaveLength(1);
    } finally {
      await second.kill('SIGTERM');
    }
    expect(hung.messageIds).toHaveLength(1);
  });
});
