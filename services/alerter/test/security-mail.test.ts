import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, createAlerterWorld, sshEvent, type AlerterWorld } from './support/alerter-world.js';

let world: AlerterWorld;
beforeEach(async () => {
  world = await createAlerterWorld();
});
afterEach(async () => {
  await world.dispose();
});

const RULES = `<clients>
  <client ip="10.0.0.1" mail="alpha@example.com"><alert type="memory" limit="99%" /></client>
  <client host="beta" mail="beta@example.com" />
</clients>`;

describe('security events', () => {
  it('mails every ssh and security event once, to its own host recipient only, one mail per event with digest window 0', async () => {
    await world.writeRules(RULES);
    const alpha = await world.host('alpha');
    const beta = await world.host('beta');
    await world.start({ digestWindowMs: 0 });
    await world.stats(alpha, T0, { addresses: ['10.0.0.1'] });
    await world.ssh(alpha, 'a-1', [
      sshEvent('a1', T0 + 1_000, 'failed', { source: '203.0.113.7', user: 'root', method: 'password', port: 50022, count: 3 }),
      sshEvent('a2', T0 + 2_000, 'accepted', { source: '198.51.100.2', user: 'alice', method: 'publickey' }),
    ]);
    await world.events(beta, 'b-1', [{ id: 'b1', time: new Date(T0 + 3_000).toISOString(), type: 'sudo', user: 'bob', target: 'root', command: '/usr/bin/apt upgrade' }]);
    await world.ssh(beta, 'b-2', [sshEvent('b2', T0 + 4_000, 'invalid_user', { source: '192.0.2.9', user: 'admin' })]);
    await world.drained();

    const mails = await world.smtp.waitForMails(4);
    const byTo = (to: string) => mails.filter((m) => m.to.includes(to)).map((m) => m.parsed.text ?? '');
    const alphaMails = byTo('alpha@example.com');
    const betaMails = byTo('beta@example.com');
    expect(alphaMails).toHaveLength(2);
    expect(betaMails).toHaveLength(2);
    expect(alphaMails.join('\n')).toContain('failed');
    expect(alphaMails.join('\n')).toMatch(/user root {2}from 203\.0\.113\.7 {2}port 50022 {2}method password {2}x3/);
    expect(alphaMails.join('\n')).toContain('Addresses:  10.0.0.1');
    expect(betaMails.join('\n')).toMatch(/sudo .*user bob {2}target root {2}command \/usr\/bin\/apt upgrade/);
    expect(betaMails.join('\n')).not.toContain('203.0.113.7');
    expect(alphaMails.join('\n')).not.toContain('admin');
    expect(mails.map((m) => m.parsed.subject).sort()).toEqual([
      '[hostwatch] alpha: accepted alice from 198.51.100.2',
      '[hostwatch] alpha: failed root from 203.0.113.7',
      '[hostwatch] beta: invalid_user admin from 192.0.2.9',
      '[hostwatch] beta: sudo bob',
    ]);

    // The same events again under another message id: already mailed, nothing new.
    await world.ssh(alpha, 'a-1-again', [sshEvent('a1', T0 + 1_000, 'failed', { source: '203.0.113.7', user: 'root', count: 3 })]);
    await world.drained();
    expect(await world.outbox()).toHaveLength(4);
  });

  it('puts a host’s events within the digest window into one mail', async () => {
    await world.writeRules(RULES);
    const beta = await world.host('beta');
    await world.start({ digestWindowMs: 60_000 });
    await world.ssh(beta, 'm1', [sshEvent('e1', T0, 'failed', { source: '203.0.113.7', user: 'root' }), sshEvent('e2', T0 + 1, 'failed', { source: '203.0.113.7', user: 'oracle' })]);
    await world.drained();
    world.clock.advance(30_000);
    await world.ssh(beta, 'm2', [sshEvent('e3', T0 + 30_000, 'accepted', { source: '198.51.100.2', user: 'bob' })]);
    await world.drained();
    expect(await world.outbox()).toHaveLength(0);

    world.clock.advance(30_000);
    const [mail] = await world.smtp.waitForMails(1);
    expect(mail?.parsed.subject).toBe('[hostwatch] beta: 3 security events (2 failed, 1 accepted)');
    expect(mail?.parsed.text).toContain('Sources:    203.0.113.7 (2), 198.51.100.2 (1)');
    expect(mail?.parsed.text).toContain('Users:      bob (1), oracle (1), root (1)');

    world.clock.advance(5_000);
    await world.ssh(beta, 'm3', [sshEvent('e4', T0 + 65_000, 'failed', { source: '203.0.113.8' })]);
    await world.drained();
    world.clock.advance(60_000);
    await world.smtp.waitForMails(2);
    const rows = await world.db.selectFrom('alerter_security_queue').select(['event_id', 'message_id']).orderBy('event_id').execute();
    expect(new Set(rows.slice(0, 3).map((r) => r.message_id)).size).toBe(1);
    expect(rows[3]?.message_id).not.toBe(rows[0]?.message_id);
    expect(world.smtp.mails).toHaveLength(2);
  });

  it('two replicas put each event in exactly one mail', async () => {
    await world.writeRules(RULES);
    const beta = await world.host('beta');
    await world.start({ digestWindowMs: 0 });
    await world.start({ digestWindowMs: 0 });
    const ids: string[] = [];
    for (let m = 0; m < 20; m++) {
      const events = Array.from({ length: 5 }, (_, i) => sshEvent(`r${m}-${i}`, T0 + m * 1000 + i, 'failed', { source: `192.0.2.${m}` }));
      ids.push(...events.map((e) => e.id));
      await world.ssh(beta, `msg-${m}`, events);
    }
    await world.drained();
    const mails = await world.smtp.waitForMails(100);
    await world.drained();
    const sessions = mails.map((m) => /session s-(\S+)/.exec(m.parsed.text ?? '')?.[1]);
    expect(sessions.sort()).toEqual([...ids].sort());
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(100);
    const sent = await world.db.selectFrom('alerter_outbox').select('claimed_by').distinct().execute();
    expect(sent.length).toBeGreaterThanOrEqual(1);
  });
});
