import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { subjectFor } from '@hostwatch/contract';
import { Sealer, generateHostKeyPair, writeKeyFile, type HostKeyPair } from '@hostwatch/envelope';
import { freePort, waitFor } from '@hostwatch/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Evaluator, StreamConsumer, parseRules, silentLog, type AlerterLog, type BatchRecorder, type HostMessageItem } from '../src/index.js';
import { startAlerterProcess } from './support/alerter-process.js';
import { T0, createAlerterWorld, statsMessage, type AlerterWorld } from './support/alerter-world.js';

let world: AlerterWorld;
beforeEach(async () => {
  world = await createAlerterWorld();
});
afterEach(async () => {
  await world.dispose();
});

const RULES = `<clients>
  <client host="app" mail="app@example.com"><alert type="memory" limit="80%" /></client>
  <client host="db" mail="db@example.com"><alert type="memory" limit="80%" /></client>
</clients>`;

/** Log records as the main thread's logger receives them, with the bindings of their child loggers. */
function capturingLog(records: Record<string, unknown>[], bindings: Record<string, unknown> = {}): AlerterLog {
  const at =
    (level: string) =>
    (obj: object, msg: string): void =>
      void records.push({ level, msg, ...bindings, ...obj });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => capturingLog(records, { ...bindings, ...more }) };
}

/** Publishes sealed bytes as they are, so a test can send what no honest host would. */
async function publishRaw(subject: string, sealed: { data: Uint8Array; headers: Readonly<Record<string, string>> }): Promise<void> {
  const nc = await connect({ servers: world.nats.url });
  const h = natsHeaders();
  for (const [k, v] of Object.entries(sealed.headers)) h.set(k, v);
  await jetstream(nc).publish(subject, sealed.data, { headers: h });
  await nc.close();
}

async function consumerState(): Promise<{ ackFloor: number; ackPending: number; delivered: number }> {
  const nc = await connect({ servers: world.nats.url });
  const info = await (await jetstreamManager(nc)).consumers.info('HOSTWATCH', 'alerter');
  await nc.close();
  return { ackFloor: info.ack_floor.stream_seq, ackPending: info.num_ack_pending, delivered: info.delivered.stream_seq };
}

// Redeliveries wait out the consumer's AckWait (30 s in production); two seconds keep these tests short.
async function shortenAckWait(): Promise<void> {
  const nc = await connect({ servers: world.nats.url });
  const jsm = await jetstreamManager(nc);
  const { config } = await jsm.consumers.info('HOSTWATCH', 'alerter');
  await jsm.consumers.update('HOSTWATCH', 'alerter', { ...config, ack_wait: 2_000_000_000 });
  await nc.close();
}

describe('the stream worker thread', () => {
  it('refuses a tampered and a forged message with their reasons, logged and counted on the main thread, and records and acknowledges the rest of the batch', async () => {
    await world.writeRules(RULES);
    const app = await world.host('app');
    const records: Record<string, unknown>[] = [];
    const running = await world.start({ log: capturingLog(records), latenessMs: 0 });

    const subject = subjectFor('app', 'stats');
    const honest = new Sealer(app, world.collector).seal(subject, 'app:boot-1:tampered', new TextEncoder().encode(JSON.stringify(statsMessage('app', T0, { memory: 99 }))));
    const tampered = { ...honest, data: Uint8Array.from(honest.data, (b, i) => (i === 30 ? b ^ 1 : b)) };
    const stranger = generateHostKeyPair('app');
    const forged = new Sealer(stranger, world.collector).seal(subject, 'app:boot-1:forged', new TextEncoder().encode(JSON.stringify(statsMessage('app', T0, { memory: 99 }))));
    await publishRaw(subject, tampered);
    await publishRaw(subject, forged);
    await world.stats(app, T0 + 10_000, { memory: 90 });

    await waitFor('every message to be acknowledged or terminated', async () => {
      const state = await consumerState();
      return state.ackFloor >= 3 && state.ackPending === 0 ? true : undefined;
    });
    const refused = records.filter((r) => r['msg'] === 'message refused; terminated');
    expect(refused.map((r) => r['reason']).sort()).toEqual(['tampered', 'unknown_key']);
    // The record crossed from the worker whole: the component that logged it, and the error with its reason.
    expect(refused[0]).toMatchObject({ level: 'warn', component: 'consumer', thread: 'stream-worker', subject });
    expect(refused.map((r) => (r['err'] as Record<string, unknown>)['reason']).sort()).toEqual(['tampered', 'unknown_key']);
    const counts = (await running.parts.metrics.messages.get()).values;
    expect(counts.filter((v) => v.labels['result'] === 'refused').reduce((n, v) => n + v.value, 0)).toBe(2);
    expect(counts.find((v) => v.labels['result'] === 'ok')?.value).toBe(1);
    // Only the honest sample was evaluated: its 90%, not the forged or tampered 99%.
    const outbox = await world.outbox();
    expect(outbox.map((m) => m.subject)).toEqual(['[hostwatch] FIRING: memory on app: 90% (limit 80%)']);
  });

  describe('when it dies', () => {
    /** The consumer with its worker, the evaluator behind `intercept`, and every worker thread it started. */
    async function startConsumer(intercept: (items: readonly HostMessageItem[], evaluator: Evaluator, worker: () => Worker) => Promise<void>) {
      await world.writeRules(RULES);
      const { rules } = parseRules(await readFile(world.rulesFile, 'utf8'));
      const evaluator = new Evaluator({ db: world.db, rules: () => rules, clock: world.clock, log: silentLog, latenessMs: 0, digestWindowMs: 0 });
      const workers: Worker[] = [];
      const recorder: BatchRecorder = { handle: (items) => intercept(items, evaluator, () => workers.at(-1)!) };
      const records: Record<string, unknown>[] = [];
      const consumer = new StreamConsumer({
        natsUrl: world.nats.url,
        databaseUrl: world.databaseUrl,
        collectorKeys: world.collector,
        replica: 'test',
        evaluator: recorder,
        log: capturingLog(records),
        restartDelayMs: 50,
        onWorker: (w) => workers.push(w),
      });
      await consumer.start();
      return { consumer, workers, records };
    }

    async function publishRound(hosts: readonly HostKeyPair[], time: number): Promise<void> {
      for (const host of hosts) await world.stats(host, time, { memory: host.hostId === 'app' ? 95 : 20 });
    }

    async function recordedOnce(): Promise<void> {
      const progress = await world.db.selectFrom('alerter_host_progress').select(['host_id', 'last_stats_time']).orderBy('host_id').execute();
      expect(progress.map((p) => [p.host_id, p.last_stats_time?.getTime()])).toEqual([
        ['app', T0 + 10_000],
        ['db', T0 + 10_000],
      ]);
      const alerts = await world.db.selectFrom('alerter_alerts').select(['host_id', 'state']).execute();
      expect(alerts).toEqual([{ host_id: 'app', state: 'firing' }]);
      expect((await world.outbox()).map((m) => m.subject)).toEqual(['[hostwatch] FIRING: memory on app: 95% (limit 80%)']);
    }

    it('before its batch committed: nothing is acknowledged, and a new worker gets the messages again and records them', async () => {
      await shortenAckWait();
      const hosts = [await world.host('app'), await world.host('db')];
      let crashed = false;
      // Both messages wait in the stream before the worker starts, so its first batch holds both.
      await publishRound(hosts, T0);
      const { consumer, workers, records } = await startConsumer(async (items, evaluator, worker) => {
        if (!crashed) {
          crashed = true;
          await worker().terminate();
          throw new Error('the transaction never committed');
        }
        await evaluator.handle(items);
      });
      try {
        await waitFor('the worker to die with its batch', () => (crashed && workers.length >= 2 ? true : undefined));
        // Delivered, recorded nowhere, so acknowledged nowhere.
        expect(await consumerState()).toMatchObject({ ackFloor: 0, ackPending: 2 });
        expect(await world.db.selectFrom('alerter_host_progress').selectAll().execute()).toEqual([]);

        await publishRound(hosts, T0 + 10_000);
        await world.drained();
        await recordedOnce();
        expect(records.some((r) => r['msg'] === 'stream worker ended; what it did not acknowledge is redelivered to the next one')).toBe(true);
        expect(consumer.healthy).toBe(true);
      } finally {
        await consumer.stop();
      }
    });

    it('after its batch committed but before the acknowledgements: the redelivered messages give the same rows and no second mail', async () => {
      await shortenAckWait();
      const hosts = [await world.host('app'), await world.host('db')];
      let crashed = false;
      const { consumer, workers } = await startConsumer(async (items, evaluator, worker) => {
        await evaluator.handle(items);
        if (!crashed && items.some((i) => i.message.kind === 'stats' && 'time' in i.message && i.message.time === T0 + 10_000)) {
          crashed = true;
          await worker().terminate();
        }
      });
      try {
        await publishRound(hosts, T0);
        await world.drained();
        await publishRound(hosts, T0 + 10_000);
        await waitFor('the worker to die after its commit', () => (crashed && workers.length >= 2 ? true : undefined));
        await world.drained();
        const redelivered = await consumerState();
        expect(redelivered.ackFloor).toBe(4);
        await recordedOnce();
      } finally {
        await consumer.stop();
      }
    });
  });

  it('stops with the consumer: the batches in hand are recorded and acknowledged, and the thread ends', async () => {
    await world.writeRules(RULES);
    const app = await world.host('app');
    const { rules } = parseRules(RULES);
    const evaluator = new Evaluator({ db: world.db, rules: () => rules, clock: world.clock, log: silentLog, latenessMs: 0, digestWindowMs: 0 });
    const workers: Worker[] = [];
    const consumer = new StreamConsumer({ natsUrl: world.nats.url, databaseUrl: world.databaseUrl, collectorKeys: world.collector, replica: 'test', evaluator, log: silentLog, onWorker: (w) => workers.push(w) });
    await consumer.start();
    const exited = new Promise<number>((resolve) => workers[0]!.once('exit', resolve));
    for (let i = 0; i < 20; i++) await world.stats(app, T0 + i * 10_000, { memory: 20 });
    await world.drained();
    await consumer.stop();
    expect(await exited).toBe(0);
    expect(consumer.healthy).toBe(false);
    expect(workers).toHaveLength(1);
  });

  it('ends with hostwatch alerter on SIGTERM, after acknowledging only what was recorded', async () => {
    await world.writeRules(RULES);
    const app = await world.host('app');
    const keyFile = join(world.dir, 'collector.key');
    await writeKeyFile(keyFile, world.collector);
    // A backlog, so that SIGTERM comes while a batch is in hand.
    const messages = 2_000;
    for (let i = 0; i < messages; i++) await world.stats(app, T0 + i * 10_000, { memory: 20 });
    const alerter = startAlerterProcess({
      NATS_URL: world.nats.url,
      DATABASE_URL: world.databaseUrl,
      COLLECTOR_KEY_FILE: keyFile,
      RULES_FILE: world.rulesFile,
      EMAIL_HOST: world.smtp.host,
      EMAIL_PORT: String(world.smtp.port),
      EMAIL_FROM: 'hostwatch@example.com',
      HEALTH_PORT: String(await freePort()),
    });
    try {
      await waitFor('the first deliveries', async () => ((await consumerState()).delivered > 0 ? true : undefined), { timeoutMs: 30_000 });
      const code = await alerter.kill('SIGTERM');
      expect(code, alerter.output()).toBe(0);
    } finally {
      await alerter.kill('SIGKILL');
    }
    expect(alerter.output()).not.toMatch(/did not finish in time|stream worker failed/);
    // Message i carries the sample of T0 + i * 10 s: whatever was acknowledged, its sample is recorded. A SIGTERM
    // that came before the first batch committed acknowledged nothing (the server delivers it again), which asks
    // nothing to be recorded.
    const { ackFloor } = await consumerState();
    const [progress] = await world.db.selectFrom('alerter_host_progress').select(['last_stats_time']).execute();
    const recordedUntil = progress?.last_stats_time?.getTime() ?? Number.NEGATIVE_INFINITY;
    const mustBeRecordedUntil = ackFloor === 0 ? Number.NEGATIVE_INFINITY : T0 + (ackFloor - 1) * 10_000;
    expect(recordedUntil, `ack floor ${ackFloor}\n${alerter.output()}`).toBeGreaterThanOrEqual(mustBeRecordedUntil);
  });
});
