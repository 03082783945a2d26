import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Lifecycle, exitCodeForSignal, type Component } from '../src/index.js';
import { RecordingLogger } from './recording-logger.js';

interface Harness {
  readonly lifecycle: Lifecycle;
  readonly logger: RecordingLogger;
  readonly signals: EventEmitter;
  readonly journal: string[];
}

function harness(stopTimeoutMs = 1_000): Harness {
  const logger = new RecordingLogger();
  const signals = new EventEmitter();
  return { lifecycle: new Lifecycle({ logger, signals, stopTimeoutMs }), logger, signals, journal: [] };
}

function component(journal: string[], name: string, overrides: Partial<Component> = {}): Component {
  return {
    name,
    start: async () => {
      journal.push(`start ${name}`);
    },
    stop: async () => {
      journal.push(`stop ${name}`);
    },
    ...overrides,
  };
}

describe('Lifecycle', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'starts in order, stops in reverse on %s, and exits 0',
    async (signal) => {
      const { lifecycle, logger, signals, journal } = harness();
      for (const name of ['db', 'nats', 'http']) lifecycle.add(component(journal, name));
      const exit = lifecycle.run();
      await logger.waitFor('running');
      expect(journal).toEqual(['start db', 'start nats', 'start http']);
      signals.emit(signal);
      expect(await exit).toBe(0);
      expect(journal).toEqual(['start db', 'start nats', 'start http', 'stop http', 'stop nats', 'stop db']);
      expect(logger.lines()).toEqual([
        'starting db',
        'started db',
        'starting nats',
        'started nats',
        'starting http',
        'started http',
        'running',
        'signal received, stopping',
        'stopping http',
        'stopped http',
        'stopping nats',
        'stopped nats',
        'stopping db',
        'stopped db',
        'stopped',
      ]);
      expect(logger.records.find((r) => r.msg === 'signal received, stopping')).toMatchObject({ signal });
      for (const record of logger.records.filter((r) => r.msg === 'stopped' || r.msg === 'started')) {
        expect(record.durationMs).toEqual(expect.any(Number));
      }
      expect(logger.records.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
    },
  );

  it('reports how long each stop took', async () => {
    const { lifecycle, logger, signals, journal } = harness();
    lifecycle.add(component(journal, 'slow', { stop: () => sleep(120) }));
    const exit = lifecycle.run();
    await logger.waitFor('running');
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    const stopped = logger.records.find((r) => r.msg === 'stopped' && r.component === 'slow');
    expect(stopped?.durationMs).toBeGreaterThanOrEqual(100);
  });

  it('uses the stop function that start returns', async () => {
    const { lifecycle, logger, signals, journal } = harness();
    lifecycle.add({
      name: 'consumer',
      start: async () => {
        journal.push('start consumer');
        return async () => {
          journal.push('drain consumer');
        };
      },
      stop: async () => {
        journal.push('stop method');
      },
    });
    lifecycle.add({ name: 'nothing', start: async () => undefined });
    const exit = lifecycle.run();
    await logger.waitFor('running');
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(journal).toEqual(['start consumer', 'drain consumer']);
    expect(logger.lines()).toContain('stopped, nothing to stop nothing');
  });

  it('stops what started, in reverse, and exits 1 when a start fails', async () => {
    const { lifecycle, logger, journal } = harness();
    lifecycle.add(component(journal, 'db'));
    lifecycle.add(component(journal, 'nats'));
    lifecycle.add(
      component(journal, 'http', {
        start: async () => {
          throw new Error('EADDRINUSE');
        },
      }),
    );
    lifecycle.add(component(journal, 'never'));
    expect(await lifecycle.run()).toBe(1);
    expect(journal).toEqual(['start db', 'start nats', 'stop nats', 'stop db']);
    const failed = logger.records.find((r) => r.msg === 'start failed');
    expect(failed).toMatchObject({ level: 'error', component: 'http' });
    expect(failed?.err).toBeInstanceOf(Error);
    expect(logger.lines()).not.toContain('running');
    expect(logger.records.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 1 });
  });

  it('keeps stopping the others and exits 1 when a stop fails', async () => {
    const { lifecycle, logger, signals, journal } = harness();
    lifecycle.add(component(journal, 'db'));
    lifecycle.add(
      component(journal, 'nats', {
        stop: async () => {
          throw new Error('drain failed');
        },
      }),
    );
    lifecycle.add(component(journal, 'http'));
    const exit = lifecycle.run();
    await logger.waitFor('running');
    signals.emit('SIGTERM');
    expect(await exit).toBe(1);
    expect(journal).toEqual(['start db', 'start nats', 'start http', 'stop http', 'stop db']);
    expect(logger.records.find((r) => r.msg === 'stop failed')).toMatchObject({
      level: 'error',
      component: 'nats',
    });
  });

  it('gives up on a stop that outlives its timeout, stops the rest, and exits 1', async () => {
    const { lifecycle, logger, signals, journal } = harness(5_000);
    lifecycle.add(component(journal, 'db'));
    lifecycle.add(
      component(journal, 'stuck', { stop: () => new Promise<void>(() => undefined), stopTimeoutMs: 50 }),
    );
    const exit = lifecycle.run();
    await logger.waitFor('running');
    signals.emit('SIGTERM');
    expect(await exit).toBe(1);
    expect(journal).toEqual(['start db', 'start stuck', 'stop db']);
    expect(logger.records.find((r) => r.msg === 'stop timed out')).toMatchObject({
      level: 'error',
      component: 'stuck',
      timeoutMs: 50,
    });
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('exits at once with %s as the second signal while stopping, code %i', async (second, code) => {
    const { lifecycle, logger, signals, journal } = harness(60_000);
    lifecycle.add(component(journal, 'db'));
    lifecycle.add(component(journal, 'stuck', { stop: () => new Promise<void>(() => undefined) }));
    const exit = lifecycle.run();
    await logger.waitFor('running');
    signals.emit('SIGTERM');
    await logger.waitFor('stopping');
    signals.emit(second);
    expect(await exit).toBe(code);
    expect(exitCodeForSignal(second)).toBe(code);
    expect(journal).toEqual(['start db', 'start stuck']);
    expect(logger.records.find((r) => r.msg === 'second signal while stopping, exiting now')).toMatchObject({
      level: 'warn',
      signal: second,
      exitCode: code,
    });
  });

  it('aborts a start in progress on a signal, starts nothing more, and stops what started', async () => {
    const { lifecycle, logger, signals, journal } = harness();
    lifecycle.add(component(journal, 'db'));
    lifecycle.add({
      name: 'nats',
      start: (signal) =>
        new Promise<void>((_resolve, reject) => {
          journal.push('connecting nats');
          signal.addEventListener('abort', () => reject(new Error('connect aborted')));
        }),
    });
    lifecycle.add(component(journal, 'http'));
    const exit = lifecycle.run();
    await logger.waitFor('starting');
    await sleep(10);
    signals.emit('SIGINT');
    expect(await exit).toBe(0);
    expect(journal).toEqual(['start db', 'connecting nats', 'stop db']);
    expect(logger.records.find((r) => r.msg === 'start interrupted')).toMatchObject({
      level: 'warn',
      component: 'nats',
    });
  });

  it('stops on request from inside: 0 for a plain shutdown, 1 after a fatal error', async () => {
    const plain = harness();
    plain.lifecycle.add(component(plain.journal, 'db'));
    const plainExit = plain.lifecycle.run();
    await plain.logger.waitFor('running');
    plain.lifecycle.shutdown('maintenance');
    expect(await plainExit).toBe(0);
    expect(plain.journal).toEqual(['start db', 'stop db']);

    const fatal = harness();
    fatal.lifecycle.add(component(fatal.journal, 'nats'));
    const fatalExit = fatal.lifecycle.run();
    await fatal.logger.waitFor('running');
    fatal.lifecycle.shutdown('connection closed for good', new Error('CONNECTION_CLOSED'));
    expect(await fatalExit).toBe(1);
    expect(fatal.journal).toEqual(['start nats', 'stop nats']);
    expect(fatal.logger.records.find((r) => r.msg === 'shutting down after a fatal error')).toMatchObject({
      level: 'error',
      reason: 'connection closed for good',
    });
  });

  it('listens for signals only while it runs, and runs once', async () => {
    const { lifecycle, logger, signals, journal } = harness();
    lifecycle.add(component(journal, 'db'));
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    const exit = lifecycle.run();
    await logger.waitFor('running');
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    expect(signals.listenerCount('SIGINT')).toBe(1);
    expect(() => lifecycle.add(component(journal, 'late'))).toThrow(
      'cannot add late: the lifecycle is already running',
    );
    await expect(lifecycle.run()).rejects.toThrow('a lifecycle runs once');
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});
