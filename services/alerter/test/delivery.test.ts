import { generateHostKeyPair } from '@hostwatch/envelope';
import { waitFor } from '@hostwatch/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, createAlerterWorld, sshEvent, type AlerterWorld } from './support/alerter-world.js';

let world: AlerterWorld;
beforeEach(async () => {
  world = await createAlerterWorld();
});
afterEach(async () => {
  await world.dispose();
});

describe('delivery through the whole alerter', () => {
  it('SMTP down, then up: every mail is delivered exactly once', async () => {
    await world.writeRules(`<clients><client host="app" mail="app@example.com"><alert type="memory" limit="80%" /></client></clients>`);
    const app = await world.host('app');
    await world.smtp.stop();
    // Retries wait on the clock: this test runs on the real one.
    await world.start({ digestWindowMs: 0, emailRetryMinMs: 20, emailRetryMaxMs: 200, clock: Date.now });
    await world.stats(app, T0, { memory: 90 });
    await world.ssh(app, 'm1', [sshEvent('e1', T0, 'failed', { source: '203.0.113.5' }), sshEvent('e2', T0 + 1, 'accepted', { source: '198.51.100.5', user: 'ann' })]);
    await world.drained();
    await waitFor('several refused attempts of every mail', async () => {
      const rows = await world.outbox();
      return rows.length === 3 && rows.every((r) => r.attempts >= 3 && r.status === 'pending' && /ECONNREFUSED/.test(r.last_error ?? '')) ? true : undefined;
    });
    await world.smtp.start();
    await waitFor('every mail sent', async () => ((await world.outbox()).every((r) => r.status === 'sent') ? true : undefined));
    const ids = (await world.outbox()).map((r) => r.message_id).sort();
    expect(world.smtp.mails.map((m) => m.parsed.messageId).sort()).toEqual(ids);
  });

  it('a 550 reply marks the mail failed with the reason, visible in the outbox, and it is not retried', async () => {
    await world.writeRules(`<clients><client host="app" mail="nobody@example.com" /></clients>`);
    const app = await world.host('app');
    world.smtp.failWith(550);
    await world.start({ digestWindowMs: 0 });
    await world.ssh(app, 'm1', [sshEvent('e1', T0, 'accepted', { source: '198.51.100.5', user: 'ann' })]);
    await world.drained();
    await waitFor('the mail to be marked failed', async () => ((await world.outbox())[0]?.status === 'failed' ? true : undefined));
    const [row] = await world.outbox();
    expect(row?.attempts).toBe(1);
    expect(row?.last_error).toMatch(/550/);
  });

  it('refuses messages from unknown keys and invalid bodies without evaluating them', async () => {
    await world.writeRules(`<clients><client host="app" mail="app@example.com" /></clients>`);
    const app = await world.host('app');
    const running = await world.start({ digestWindowMs: 0 });
    const stranger = generateHostKeyPair('app');
    await world.publish(stranger, 'ssh', 'forged', { v: 1, kind: 'ssh', hostId: 'app', events: [sshEvent('x', T0, 'accepted', { source: '6.6.6.6' })] });
    await world.publish(app, 'ssh', 'invalid', { v: 1, kind: 'ssh', hostId: 'app', events: [] });
    await world.ssh(app, 'good', [sshEvent('g', T0, 'accepted', { source: '192.0.2.44', user: 'eve' })]);
    await world.drained();
    const [mail] = await world.smtp.waitForMails(1);
    expect(mail?.parsed.text).toContain('192.0.2.44');
    expect(await world.outbox()).toHaveLength(1);
    const counts = await running.parts.metrics.messages.get();
    expect(counts.values.filter((v) => v.labels['result'] === 'refused').reduce((n, v) => n + v.value, 0)).toBe(2);
  });
});
