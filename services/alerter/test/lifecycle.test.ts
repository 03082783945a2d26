import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { writeKeyFile } from '@hostwatch/envelope';
import { waitFor } from '@hostwatch/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALERTER_NODE_FLAGS, loadAlerterConfig, main } from '../src/index.js';
import { T0, createAlerterWorld, type AlerterWorld } from './support/alerter-world.js';

let world: AlerterWorld;
beforeEach(async () => {
  world = await createAlerterWorld();
});
afterEach(async () => {
  await world.dispose();
});

/** A complete environment for `main` against the world, with the collector key written to a file. */
async function startEnv(logLevel: string): Promise<NodeJS.ProcessEnv> {
  const keyFile = join(world.dir, 'collector.key');
  await writeKeyFile(keyFile, world.collector);
  return {
    NATS_URL: world.nats.url,
    DATABASE_URL: world.databaseUrl,
    HEALTH_PORT: '0',
    COLLECTOR_KEY_FILE: keyFile,
    RULES_FILE: world.rulesFile,
    EMAIL_HOST: world.smtp.host,
    EMAIL_PORT: String(world.smtp.port),
    EMAIL_FROM: 'hostwatch@example.com',
    LOG_LEVEL: logLevel,
  };
}

const MEMORY_80 = `<clients><client host="app" mail="app@example.com"><alert type="memory" limit="80%" clear="70%" repeat="1h" /></client></clients>`;

describe('restart', () => {
  it('neither re-sends nor forgets: a firing alert stays firing across a restart and resolves with one mail', async () => {
    await world.writeRules(MEMORY_80);
    const app = await world.host('app');
    let alerter = await world.start();
    await world.stats(app, T0, { memory: 90 });
    await world.drained();
    await world.smtp.waitForMails(1);
    await alerter.stop();

    alerter = await world.start();
    await world.stats(app, T0 + 10_000, { memory: 95 });
    await world.drained();
    expect(await world.outbox()).toHaveLength(1);
    await world.stats(app, T0 + 20_000, { memory: 50 });
    await world.drained();
    const mails = await world.smtp.waitForMails(2);
    expect(mails.map((m) => m.parsed.subject)).toEqual([
      '[hostwatch] FIRING: memory on app: 90% (limit 80%)',
      '[hostwatch] RESOLVED: memory on app (now 50%)',
    ]);
  });
});

describe('rules hot reload', () => {
  it('applies a good edit without a restart, keeps the last good rules on a bad edit, and shows it in readiness and metrics', async () => {
    await world.writeRules(MEMORY_80);
    const app = await world.host('app');
    const alerter = await world.start();
    const ops = alerter.parts.ops();
    if (!ops) throw new Error('no ops server');
    const loads = () => alerter.parts.rules.loads;

    await world.stats(app, T0, { memory: 60 });
    await world.drained();
    expect(await world.outbox()).toHaveLength(0);

    await world.writeRules(MEMORY_80.replace('limit="80%" clear="70%"', 'limit="50%" clear="40%"'));
    await waitFor('the good edit to load', () => (alerter.parts.rules.rules.clients[0]?.alerts[0]?.limit === 50 ? true : undefined));
    await world.stats(app, T0 + 10_000, { memory: 60 });
    await world.drained();
    expect((await world.outbox()).map((m) => m.subject)).toEqual(['[hostwatch] FIRING: memory on app: 60% (limit 50%)']);

    const before = loads();
    await world.writeRules(MEMORY_80.replace('limit="80%"', 'limt="30%"'));
    await waitFor('the bad edit to be read', () => (alerter.parts.rules.error ? true : undefined));
    expect(loads()).toBeGreaterThan(before);
    expect(alerter.parts.rules.rules.clients[0]?.alerts[0]?.limit).toBe(50);
    const ready = await fetch(`${ops.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(body.checks['rules']).toMatch(/rules file refused: .*rules\.xml:1:\d+: unknown attribute limt on <alert>; did you mean limit\?.*still using the rules loaded at/);
    const metrics = await (await fetch(`${ops.url}/metrics`)).text();
    expect(metrics).toMatch(/hostwatch_alerter_rules_current\{service="alerter"\} 0/);
    expect(metrics).toMatch(/hostwatch_alerter_rules_loads_total\{result="error",service="alerter"\} [1-9]/);

    // The old rules still apply: 45% is above the kept rule's clear of 40%, so nothing resolves.
    await world.stats(app, T0 + 20_000, { memory: 45 });
    await world.drained();
    expect(await world.outbox()).toHaveLength(1);

    await world.writeRules(MEMORY_80);
    await waitFor('the fix to load', () => (alerter.parts.rules.error === undefined ? true : undefined));
    expect((await fetch(`${ops.url}/readyz`)).status).toBe(200);
  });
});

describe('start', () => {
  it('exits with the problems when the rules file is bad at start', async () => {
    await writeFile(world.rulesFile, `<clients>\n  <client ip="10.0.0.1" mail="a@example.com">\n    <alert type="memory" limit="lots" />\n  </client>\n</clients>\n`);
    let stderr = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        stderr += chunk.toString();
        done();
      },
    });
    const env = await startEnv('silent');
    expect(await main(env, sink)).toBe(1);
    expect(stderr).toContain(`${world.rulesFile}:3:26: limit="lots" is not a percentage; write a number from 0 to 100 followed by %, such as limit="90%"`);
  });

  it('says in its log when node was started without the alerter\'s flags, and not when it was started with them', async () => {
    // A process of its own for each, since the flags are node's; a bad rules file ends each run right
    // after the start has logged or not logged the warning.
    await writeFile(world.rulesFile, `<clients><nonsense /></clients>\n`);
    const env = await startEnv('info');
    const start = async (nodeFlags: readonly string[]) => {
      const script = `const { main } = await import('@hostwatch/alerter'); process.exitCode = await main();`;
      const child = spawn(process.execPath, [...nodeFlags, '--input-type=module', '--eval', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stderr, warnings: stdout.split('\n').filter((line) => line.includes('"missingNodeFlags"')) };
    };

    const without = await start([]);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('the rules file cannot be used');
    expect(without.warnings).toHaveLength(1);
    expect(JSON.parse(without.warnings[0]!)).toMatchObject({ level: 'warn', service: 'alerter', missingNodeFlags: [...ALERTER_NODE_FLAGS] });

    const withFlags = await start(ALERTER_NODE_FLAGS);
    expect(withFlags.code).toBe(1);
    expect(withFlags.stderr).toContain('the rules file cannot be used');
    expect(withFlags.warnings).toEqual([]);
  });

  it('lists every configuration problem at once', async () => {
    let stderr = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        stderr += chunk.toString();
        done();
      },
    });
    expect(await main({ EMAIL_PORT: 'smtp' }, sink)).toBe(1);
    for (const name of ['NATS_URL', 'DATABASE_URL', 'COLLECTOR_KEY_FILE', 'RULES_FILE', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_FROM']) expect(stderr).toContain(name);
  });

  it('reads email_config.json and lets the environment override it', async () => {
    const file = join(world.dir, 'email_config.json');
    await writeFile(file, JSON.stringify({ host: 'smtp.example.com', port: 587, secure: false, user: 'mailer', password: 'hunter2', from: 'alerts@example.com' }));
    const config = loadAlerterConfig({
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL: 'postgres://u@127.0.0.1/db',
      COLLECTOR_KEY_FILE: '/k',
      RULES_FILE: '/r.xml',
      EMAIL_CONFIG_FILE: file,
      EMAIL_HOST: 'relay.internal',
    });
    expect(config.email).toMatchObject({ host: 'relay.internal', port: 587, secure: false, user: 'mailer', password: 'hunter2', from: 'alerts@example.com', connectTimeoutMs: 30_000, handoverTimeoutMs: 120_000, finalReplyTimeoutMs: 600_000 });
  });

  it('takes each SMTP phase timeout on its own, and names the replacements of the retired EMAIL_TIMEOUT', () => {
    const base = { NATS_URL: 'nats://127.0.0.1:4222', DATABASE_URL: 'postgres://u@127.0.0.1/db', COLLECTOR_KEY_FILE: '/k', RULES_FILE: '/r.xml', EMAIL_HOST: 'relay.internal', EMAIL_FROM: 'a@example.com' };
    const config = loadAlerterConfig({ ...base, EMAIL_CONNECT_TIMEOUT: '2s', EMAIL_HANDOVER_TIMEOUT: '5s', EMAIL_FINAL_REPLY_TIMEOUT: '15m' });
    expect(config.email).toMatchObject({ connectTimeoutMs: 2_000, handoverTimeoutMs: 5_000, finalReplyTimeoutMs: 900_000 });
    expect(() => loadAlerterConfig({ ...base, EMAIL_TIMEOUT: '2s' })).toThrow(/EMAIL_TIMEOUT .*EMAIL_CONNECT_TIMEOUT, EMAIL_HANDOVER_TIMEOUT and EMAIL_FINAL_REPLY_TIMEOUT/);
  });
});
