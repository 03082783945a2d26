import { appendFile } from 'node:fs/promises';
import { loadConfig } from '@hostwatch/config';
import { validateMessage } from '@hostwatch/contract';
import { ENROLLMENT_HEADERS, enrollmentToken } from '@hostwatch/envelope';
import { createLogger } from '@hostwatch/log';
import { waitFor } from '@hostwatch/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent.js';
import { agentConfigSpec } from '../../src/config/agent-config.js';
import { openAuthLogSources } from '../../src/sources/open-auth-log-sources.js';
import { agentFixture, eventIds, failedLine, type AgentFixture } from './agent-fixture.js';

const fixtures: AgentFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

async function startAgent(env: Record<string, string>, connect = true): Promise<Agent> {
  const config = loadConfig(agentConfigSpec, { env });
  const log = createLogger({ service: 'agent', level: 'warn' });
  const sources = await openAuthLogSources(config, log);
  const agent = await Agent.create({ config, log, version: 'test', sources });
  agent.start();
  if (connect) {
    const { connect: natsConnect } = await import('@nats-io/transport-node');
    agent.connected(await natsConnect({ servers: env['NATS_URL']!, maxReconnectAttempts: -1, reconnectTimeWait: 200 }));
  }
  return agent;
}

describe('agent', () => {
  it('reads an auth log to its end and delivers every sshd event once, sealed and valid', async () => {
    const f = await agentFixture();
    fixtures.push(f);
    const lines = Array.from({ length: 500 }, (_, i) => failedLine(i));
    await appendFile(f.logPath, `${lines.join('\n')}\nNov 23 10:00:01 web-01 CRON[1]: noise\n`);
    const agent = await startAgent({
      ...f.env,
      AUTH_LOG_EXIT_AT_END: 'true',
      SSH_BATCH_SIZE: '64',
      ENROLLMENT_TOKEN: 'fleet-secret-0123456789',
    });
    await agent.finished();
    await agent.stop();

    const messages = await f.readAll();
    for (const m of messages) {
      expect(m.subject).toBe('hostwatch.web-01.ssh');
      expect(validateMessage('ssh', 'web-01', m.body).ok).toBe(true);
    }
    for (const m of messages) {
      expect(m.headers[ENROLLMENT_HEADERS.publicKey]).toBe(f.hostPublicKey);
      expect(m.headers[ENROLLMENT_HEADERS.token]).toBe(
        enrollmentToken('fleet-secret-0123456789', 'web-01', m.headers['Hostwatch-Host-Key']!),
      );
    }
    const { distinct, total } = eventIds(messages);
    expect(distinct.size).toBe(500);
    expect(total).toBe(500);
    const first = messages[0]!.body.events![0] as unknown as Record<string, unknown>;
    expect(first).toMatchObject({ event: 'failed', source: '203.0.113.0', user: 'u0', port: 20_000 });
  });

  it('samples statistics every interval with its own health, even before NATS is reachable', async () => {
    const f = await agentFixture();
    fixtures.push(f);
    const agent = await startAgent({ ...f.env, AUTH_LOG_SOURCE: 'none', STATS_INTERVAL: '1s' }, false);
    await waitFor('two spooled samples', () => (agent.delivery.backlog >= 2 ? true : undefined), { timeoutMs: 20_000 });
    const { connect } = await import('@nats-io/transport-node');
    agent.connected(await connect({ servers: f.server.url }));
    await waitFor('spool to drain', () => (agent.delivery.backlog === 0 ? true : undefined), { timeoutMs: 20_000 });
    await waitFor('a sample sent after the spool drained', async () => {
      const stats = (await f.readAll()).filter((m) => m.subject === 'hostwatch.web-01.stats');
      return stats.some((m) => (m.body['agent'] as { lastAckAt?: string }).lastAckAt) ? stats : undefined;
    }, { timeoutMs: 20_000 });
    await agent.stop();

    const stats = (await f.readAll()).filter((m) => m.subject === 'hostwatch.web-01.stats');
    expect(stats.length).toBeGreaterThanOrEqual(3);
    for (const m of stats) expect(validateMessage('stats', 'web-01', m.body)).toMatchObject({ ok: true });
    const spooled = stats[0]!.body['agent'] as { spoolDepth: number };
    expect(spooled.spoolDepth).toBeGreaterThanOrEqual(0);
    expect(new Set(stats.map((m) => m.id)).size).toBe(stats.length);
  });

  it('reports a missing auth log clearly, naming what it tried and what to do', async () => {
    const f = await agentFixture();
    fixtures.push(f);
    const config = loadConfig(agentConfigSpec, { env: { ...f.env, AUTH_LOG_PATHS: '/nonexistent/auth.log,/nonexistent/secure' } });
    await expect(openAuthLogSources(config, createLogger({ service: 'agent', level: 'warn' }))).rejects.toThrow(
      /no SSH login log to read: \/nonexistent\/auth\.log: ENOENT; \/nonexistent\/secure: ENOENT\. Run the agent as a user in group 'adm'/,
    );
  });
});
