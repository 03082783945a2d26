import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, createAlerterWorld, type AlerterWorld } from './support/alerter-world.js';

let world: AlerterWorld;
beforeEach(async () => {
  world = await createAlerterWorld();
});
afterEach(async () => {
  await world.dispose();
});

const s = 1_000;

describe('threshold alerts', () => {
  it('fire after `for`, stay firing inside the hysteresis band, resolve below clear, each with one mail', async () => {
    await world.writeRules(`<clients>
  <client ip="10.1.1.1" mail="web@example.com">
    <alert type="memory" limit="80%" clear="70%" for="30s" />
  </client>
  <client ip="10.9.9.9" mail="other@example.com">
    <alert type="memory" limit="10%" />
  </client>
</clients>`);
    const web = await world.host('web-01');
    await world.start();
    const at = (sec: number, memory: number) => world.stats(web, T0 + sec * s, { memory, addresses: ['10.1.1.1', 'fe80::1'] });

    await at(0, 85);
    await at(10, 90);
    await world.drained();
    expect(await world.outbox()).toHaveLength(0);
    const pending = await world.db.selectFrom('alerter_alerts').selectAll().executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ state: 'pending', host_id: 'web-01', type: 'memory' });

    await at(30, 88);
    await world.drained();
    let mails = await world.outbox();
    expect(mails.map((m) => m.subject)).toEqual(['[hostwatch] FIRING: memory on web-01: 88% (limit 80%)']);
    expect(mails[0]?.recipients).toEqual(['web@example.com']);
    expect(mails[0]?.body).toContain('Host:       web-01 (web-01.example.com)');
    expect(mails[0]?.body).toContain('Addresses:  10.1.1.1, fe80::1');
    expect(mails[0]?.body).toContain(`Since:      ${new Date(T0).toISOString()}`);
    expect(mails[0]?.body).toContain('clears below 70%, for 30s');

    await at(40, 75);
    await world.drained();
    expect(await world.outbox()).toHaveLength(1);

    await at(50, 65);
    await world.drained();
    mails = await world.outbox();
    expect(mails.map((m) => m.subject)).toEqual([
      '[hostwatch] FIRING: memory on web-01: 88% (limit 80%)',
      '[hostwatch] RESOLVED: memory on web-01 (now 65%)',
    ]);

    await at(60, 95);
    await at(70, 50);
    await world.drained();
    expect(await world.outbox()).toHaveLength(2);
    expect(await world.db.selectFrom('alerter_alerts').selectAll().execute()).toEqual([]);

    const received = await world.smtp.waitForMails(2);
    expect(received.map((m) => [m.to, m.parsed.subject, m.parsed.messageId])).toEqual(mails.map((m) => [['web@example.com'], m.subject, m.message_id]));
  });

  it('repeats a firing alert every repeat interval of event time', async () => {
    await world.writeRules(`<clients><client host="db-01" mail="dba@example.com">
      <alert type="cpu" limit="90%" repeat="1m" />
    </client></clients>`);
    const db = await world.host('db-01');
    await world.start();
    for (const sec of [0, 30, 59, 60, 90, 121]) await world.stats(db, T0 + sec * s, { cpu: 95 });
    await world.drained();
    expect((await world.outbox()).map((m) => m.subject.split(':')[0])).toEqual(['[hostwatch] FIRING', '[hostwatch] STILL FIRING', '[hostwatch] STILL FIRING']);
  });

  it('watches every disk as its own series, swap and load per core', async () => {
    await world.writeRules(`<clients><client host="fs-01" mail="fs@example.com">
      <alert type="disk" limit="90%" />
      <alert type="disk" mount="/data" limit="50%" />
      <alert type="swap" limit="60%" />
      <alert type="load" limit="1.5" average="1m" />
    </client></clients>`);
    const fs = await world.host('fs-01');
    await world.start();
    await world.stats(fs, T0, { disks: { '/': 95, '/data': 60, '/boot': 10 }, swap: 70, load1: 4, cores: 2 });
    await world.drained();
    expect((await world.outbox()).map((m) => m.subject).sort()).toEqual([
      '[hostwatch] FIRING: disk / on fs-01: 95% (limit 90%)',
      '[hostwatch] FIRING: disk /data on fs-01: 60% (limit 50%)',
      '[hostwatch] FIRING: load on fs-01: 2 per core (limit 1.5 per core)',
      '[hostwatch] FIRING: swap on fs-01: 70% (limit 60%)',
    ]);
  });

  it('evaluates stats in event-time order when they arrive out of order within the lateness', async () => {
    await world.writeRules(`<clients><client host="web-02" mail="web@example.com">
      <alert type="memory" limit="80%" clear="80%" />
    </client></clients>`);
    const web = await world.host('web-02');
    const running = await world.start({ latenessMs: 60_000 });
    await world.stats(web, T0, { memory: 50 });
    await world.stats(web, T0 + 20 * s, { memory: 50 });
    await world.stats(web, T0 + 10 * s, { memory: 95 });
    await world.drained();
    expect(await world.outbox()).toHaveLength(0);

    await world.stats(web, T0 + 100 * s, { memory: 50 });
    await world.drained();
    const mails = await world.outbox();
    expect(mails.map((m) => m.subject)).toEqual([
      '[hostwatch] FIRING: memory on web-02: 95% (limit 80%)',
      '[hostwatch] RESOLVED: memory on web-02 (now 50%)',
    ]);
    expect(mails[0]?.body).toContain(`Since:      ${new Date(T0 + 10 * s).toISOString()}`);

    await world.stats(web, T0 + 5 * s, { memory: 99 });
    await world.drained();
    expect(await world.outbox()).toHaveLength(2);
    expect(await running.parts.metrics.lateSamples.get()).toMatchObject({ values: [{ value: 1 }] });
  });

  it('evaluates a sample held for lateness once the lateness passed on the clock, without newer samples', async () => {
    await world.writeRules(`<clients><client host="web-03" mail="web@example.com"><alert type="memory" limit="80%" /></client></clients>`);
    const web = await world.host('web-03');
    await world.start({ latenessMs: 30_000 });
    await world.stats(web, T0, { memory: 90 });
    await world.drained();
    expect(await world.outbox()).toHaveLength(0);
    world.clock.advance(30_000);
    await world.smtp.waitForMails(1);
    expect((await world.outbox()).map((m) => m.subject)).toEqual(['[hostwatch] FIRING: memory on web-03: 90% (limit 80%)']);
  });
});
