import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestNatsServer, startTestPostgres, startSmtpServer } from '../src/index.js';

describe('startNatsServer', () => {
  it('runs JetStream on a loopback port and keeps the file store across kill -9 and restart', async () => {
    const server = await startTestNatsServer();
    try {
      expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      let nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'KIT', subjects: ['kit.>'] });
      await jetstream(nc).publish('kit.one', 'hello');
      await nc.close();

      await server.kill();
      expect(server.running()).toBe(false);
      await server.restart();

      nc = await connect({ servers: server.url });
      const info = await (await jetstreamManager(nc)).streams.info('KIT');
      expect(info.state.messages).toBe(1);
      await nc.close();
    } finally {
      await server.dispose();
    }
  });
});

describe('PostgreSQL', () => {
  it('gives each test its own database cloned from the migrated template', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a).not.toBe(b);
    const client = new pg.Client({ connectionString: a });
    await client.connect();
    try {
      await client.query(`INSERT INTO hosts (host_id) VALUES ('web-01')`);
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM hosts');
      expect(rows[0]?.n).toBe('1');
    } finally {
      await client.end();
    }
    const other = new pg.Client({ connectionString: b });
    await other.connect();
    const { rows } = await other.query<{ n: string }>('SELECT count(*) AS n FROM hosts');
    await other.end();
    expect(rows[0]?.n).toBe('0');
  });

  it('starts a private cluster that can be stopped and started again with its data', async () => {
    const cluster = await startTestPostgres();
    try {
      const url = await cluster.createDatabase('kit');
      const write = new pg.Client({ connectionString: url });
      await write.connect();
      await write.query('CREATE TABLE t (x int); INSERT INTO t VALUES (42)');
      await write.end();
      await cluster.stop();
      await expect(new pg.Client({ connectionString: url }).connect()).rejects.toThrow();
      await cluster.start();
      const read = new pg.Client({ connectionString: url });
      await read.connect();
      const { rows } = await read.query<{ x: number }>('SELECT x FROM t');
      await read.end();
      expect(rows).toEqual([{ x: 42 }]);
    } finally {
      await cluster.dispose();
    }
  });
});

describe('startSmtpServer', () => {
  const servers: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it('receives and parses mail, and refuses with a chosen code', async () => {
    const smtp = await startSmtpServer();
    servers.push(smtp);
    const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'hw@example.test', to: 'ops@example.test', subject: 'cpu on web-01', text: 'over 90%' });
    const [mail] = await smtp.waitForMails(1);
    expect(mail?.to).toEqual(['ops@example.test']);
    expect(mail?.parsed.subject).toBe('cpu on web-01');
    expect(mail?.parsed.text?.trim()).toBe('over 90%');

    smtp.failWith(451);
    await expect(
      transport.sendMail({ from: 'hw@example.test', to: 'ops@example.test', subject: 'x', text: 'y' }),
    ).rejects.toMatchObject({ responseCode: 451 });
    expect(smtp.mails).toHaveLength(1);
    transport.close();
  });
});
