import { migrateToLatest } from '@hostwatch/db';
import { startTestPostgres, waitFor } from '@hostwatch/testkit';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { T0, createAlerterWorld, sshEvent } from './support/alerter-world.js';

describe('PostgreSQL outage', () => {
  it('messages wait in the stream while the database is down; afterwards each event is mailed once', async () => {
    const cluster = await startTestPostgres();
    const url = await cluster.createDatabase('alerter');
    await migrateToLatest(url);
    const world = await createAlerterWorld({ databaseUrl: url });
    try {
      await world.writeRules(`<clients><client host="app" mail="app@example.com" /></clients>`);
      const app = await world.host('app');
      const alerter = await world.start({ digestWindowMs: 0 });
      await world.ssh(app, 'before', [sshEvent('e1', T0, 'accepted', { source: '192.0.2.1', user: 'ann' })]);
      await world.smtp.waitForMails(1);
      // The test cluster runs with synchronous_commit off: a crash may take back the last commits.
      // The outage under test starts after the first mail is recorded as sent and on disk.
      await waitFor('the first mail to be recorded as sent', async () => ((await world.outbox()).some((m) => m.status === 'sent') ? true : undefined));
      await sql`CHECKPOINT`.execute(world.db);

      await cluster.crash();
      await world.ssh(app, 'during-1', [sshEvent('e2', T0 + 1_000, 'failed', { source: '203.0.113.2', user: 'root' })]);
      await world.ssh(app, 'during-2', [sshEvent('e3', T0 + 2_000, 'failed', { source: '203.0.113.3', user: 'root' })]);
      await waitFor('the alerter to give the messages back for later', async () => {
        const { values } = await alerter.parts.metrics.messages.get();
        return values.some((v) => v.labels['result'] === 'retry' && v.value > 0) ? true : undefined;
      });
      const ready = await fetch(`${alerter.parts.ops()?.url ?? ''}/readyz`);
      expect(ready.status).toBe(503);

      await cluster.start();
      await world.smtp.waitForMails(3, 60_000);
      await world.drained();
      const sessions = world.smtp.mails.map((m) => /session s-(\S+)/.exec(m.parsed.text ?? '')?.[1]).sort();
      expect(sessions).toEqual(['e1', 'e2', 'e3']);
      expect(await world.outbox()).toHaveLength(3);
    } finally {
      await world.dispose();
      await cluster.dispose();
    }
  });
});
