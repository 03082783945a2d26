import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, createAlerterWorld, sshEvent, type AlerterWorld } from './support/alerter-world.js';

let world: AlerterWorld;
beforeEach(async () => {
  world = await createAlerterWorld();
});
afterEach(async () => {
  await world.dispose();
});

const alerts = async () => (await world.outbox()).filter((m) => m.kind === 'alert');

describe('ssh alerts', () => {
  it('ssh failures within a window, per host and per source, fire and resolve when the window empties', async () => {
    await world.writeRules(`<clients><client host="bastion" mail="sec@example.com">
      <alert type="ssh-failures" limit="5" window="10m" />
      <alert type="ssh-failures" limit="3" window="10m" per="source" />
    </client></clients>`);
    const host = await world.host('bastion');
    world.clock.set(T0 + 60_000);
    await world.start({ digestWindowMs: 3_600_000 });
    await world.ssh(host, 'm1', [
      sshEvent('f1', T0, 'failed', { source: '203.0.113.1', user: 'root', count: 2 }),
      sshEvent('f2', T0 + 1_000, 'failed', { source: '203.0.113.2', user: 'admin' }),
      sshEvent('f3', T0 + 2_000, 'invalid_user', { source: '203.0.113.2', user: 'admin' }),
    ]);
    await world.drained();
    expect(await alerts()).toHaveLength(0);

    await world.ssh(host, 'm2', [sshEvent('f4', T0 + 3_000, 'failed', { source: '203.0.113.1', user: 'root', count: 1 }), sshEvent('f5', T0 + 4_000, 'failed', { source: '203.0.113.3', user: 'pi' })]);
    await world.drained();
    const fired = await alerts();
    expect(fired.map((m) => m.subject).sort()).toEqual([
      '[hostwatch] FIRING: ssh failures from 203.0.113.1 on bastion: 3 failed attempts (limit 3 failed attempts within 10m)',
      '[hostwatch] FIRING: ssh-failures on bastion: 5 failed attempts (limit 5 failed attempts within 10m)',
    ]);
    const perHost = fired.find((m) => m.subject.includes('ssh-failures on'));
    expect(perHost?.body).toMatch(/bastion {2}203\.0\.113\.1 {2}root {2}3/);
    expect(perHost?.body).toMatch(/bastion {2}203\.0\.113\.2 {2}admin {2}1/);

    world.clock.set(T0 + 11 * 60_000);
    await world.smtp.waitForMails(4);
    expect((await alerts()).map((m) => m.subject.split(':')[0]).sort()).toEqual([
      '[hostwatch] FIRING',
      '[hostwatch] FIRING',
      '[hostwatch] RESOLVED',
      '[hostwatch] RESOLVED',
    ]);
  });

  it('mails a login accepted from a source that failed N times within the window', async () => {
    await world.writeRules(`<clients><client host="web" mail="sec@example.com">
      <alert type="login-after-failures" limit="3" window="1h" />
    </client></clients>`);
    const host = await world.host('web');
    world.clock.set(T0 + 60_000);
    await world.start({ digestWindowMs: 3_600_000 });
    await world.ssh(host, 'm1', [
      sshEvent('f1', T0, 'failed', { source: '198.51.100.9', user: 'deploy', count: 2 }),
      sshEvent('ok1', T0 + 1_000, 'accepted', { source: '192.0.2.1', user: 'alice', method: 'publickey' }),
      sshEvent('f2', T0 + 2_000, 'failed', { source: '198.51.100.9', user: 'deploy' }),
      sshEvent('ok2', T0 + 3_000, 'accepted', { source: '198.51.100.9', user: 'deploy', method: 'password' }),
    ]);
    await world.drained();
    const [mail] = await alerts();
    expect(mail?.subject).toBe('[hostwatch] FIRING: login after failures from 198.51.100.9 on web: 3 failed attempts (limit a login accepted from a source that failed 3 times within 1h)');
    expect(mail?.body).toContain('Login accepted at 2026-11-23T10:00:03.000Z for user deploy from 198.51.100.9 by password');
    expect(mail?.body).toContain('a likely compromise');
  });

  it('fleet-wide brute force: one source failing on K hosts, each below its own limit', async () => {
    await world.writeRules(`<clients>
  <client host="h1" mail="h1@example.com"><alert type="ssh-failures" limit="10" /></client>
  <client host="h2" mail="h2@example.com"><alert type="ssh-failures" limit="10" /></client>
  <client host="h3" mail="h3@example.com"><alert type="ssh-failures" limit="10" /></client>
  <fleet mail="secops@example.com"><alert type="brute-force" limit="3" window="15m" /></fleet>
</clients>`);
    const hosts = [await world.host('h1'), await world.host('h2'), await world.host('h3')];
    world.clock.set(T0 + 60_000);
    await world.start({ digestWindowMs: 3_600_000 });
    for (const [i, h] of hosts.entries()) {
      await world.ssh(h, `m${i}`, [sshEvent(`x${i}`, T0 + i * 1_000, 'failed', { source: '203.0.113.66', user: 'root', count: 2 })]);
      await world.drained();
    }
    const mails = await alerts();
    expect(mails.map((m) => [m.subject, m.recipients])).toEqual([
      ['[hostwatch] FIRING: brute force from 203.0.113.66 on the fleet: 3 hosts (limit one source failing on 3 hosts within 15m)', ['secops@example.com']],
    ]);
    expect(mails[0]?.body).toMatch(/h1 {2}203\.0\.113\.66 {2}root {2}2/);
    expect(mails[0]?.body).toMatch(/h3 {2}203\.0\.113\.66 {2}root {2}2/);
  });
});

describe('offline and silences', () => {
  it('offline: fires when no stats came for the duration and resolves when they come again', async () => {
    await world.writeRules(`<clients><client host="edge" mail="noc@example.com"><alert type="offline" for="5m" /></client></clients>`);
    const edge = await world.host('edge');
    await world.start();
    await world.stats(edge, T0, { addresses: ['10.5.5.5'] });
    await world.drained();
    world.clock.set(T0 + 4 * 60_000);
    world.clock.set(T0 + 5 * 60_000);
    const [mail] = await world.smtp.waitForMails(1);
    expect(mail?.parsed.subject).toBe('[hostwatch] FIRING: offline on edge: no stats for 5m (limit no stats for 5m)');
    expect(mail?.parsed.text).toContain('Last stats sample: 2026-11-23T10:00:00.000Z');

    await world.stats(edge, T0 + 5 * 60_000 + 1_000, { addresses: ['10.5.5.5'] });
    await world.smtp.waitForMails(2);
    expect(world.smtp.mails[1]?.parsed.subject).toBe('[hostwatch] RESOLVED: offline on edge (stats arrive again)');
  });

  it('a silence mutes a client’s alerts while it lasts; when it expires a still-firing alert is mailed', async () => {
    await world.writeRules(`<clients><client host="db" mail="dba@example.com">
      <alert type="memory" limit="80%" />
      <alert type="cpu" limit="80%" />
      <silence from="2026-11-23T09:00:00Z" until="2026-11-23T11:00:00Z" types="memory" comment="reindex" />
    </client></clients>`);
    const db = await world.host('db');
    await world.start();
    await world.stats(db, T0, { memory: 90, cpu: 90 });
    await world.drained();
    expect((await world.outbox()).map((m) => m.subject)).toEqual(['[hostwatch] FIRING: cpu on db: 90% (limit 80%)']);
    const silenced = await world.db.selectFrom('alerter_alerts').selectAll().where('type', '=', 'memory').executeTakeFirstOrThrow();
    expect(silenced).toMatchObject({ state: 'firing', notifications: 0 });

    world.clock.set(Date.parse('2026-11-23T11:00:00Z'));
    await world.stats(db, T0 + 3_600_000, { memory: 91, cpu: 90 });
    await world.drained();
    expect((await world.outbox()).map((m) => m.subject)).toEqual([
      '[hostwatch] FIRING: cpu on db: 90% (limit 80%)',
      '[hostwatch] FIRING: memory on db: 91% (limit 80%)',
    ]);
  });

  it('honours a silence made through the API (alert_silences) for its host and types while it lasts', async () => {
    await world.writeRules(`<clients><client host="api" mail="ops@example.com"><alert type="memory" limit="80%" /></client>
      <client host="other" mail="ops@example.com"><alert type="memory" limit="80%" /></client></clients>`);
    const api = await world.host('api');
    const other = await world.host('other');
    await world.db
      .insertInto('alert_silences')
      .values({ host_id: 'api', types: ['memory'], starts_at: new Date(T0 - 60_000), ends_at: new Date(T0 + 60_000), comment: 'upgrade', created_by: 'admin' })
      .execute();
    await world.start();
    await world.stats(api, T0, { memory: 90 });
    await world.stats(other, T0, { memory: 90 });
    await world.drained();
    expect((await world.outbox()).map((m) => m.subject)).toEqual(['[hostwatch] FIRING: memory on other: 90% (limit 80%)']);

    world.clock.set(T0 + 60_000);
    await world.stats(api, T0 + 60_000, { memory: 90 });
    await world.drained();
    expect((await world.outbox()).map((m) => m.subject)).toEqual([
      '[hostwatch] FIRING: memory on other: 90% (limit 80%)',
      '[hostwatch] FIRING: memory on api: 90% (limit 80%)',
    ]);
  });
});
