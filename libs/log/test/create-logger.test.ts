import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';
import { capture } from './capture.js';

describe('createLogger', () => {
  it('writes JSON records with the service, an ISO time, the level as a word, pid and hostname', () => {
    const out = capture();
    const log = createLogger({ service: 'ingest', destination: out, env: {} });
    log.info({ hostId: 'web-01' }, 'stored');
    expect(out.records).toHaveLength(1);
    const [record] = out.records;
    expect(record).toMatchObject({
      level: 'info',
      service: 'ingest',
      pid: process.pid,
      hostname: hostname(),
      hostId: 'web-01',
      msg: 'stored',
    });
    expect(record?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('adds a component per child and serialises errors with their cause', () => {
    const out = capture();
    const log = createLogger({ service: 'alerter', destination: out, env: {} });
    const err = new Error('send failed', { cause: new Error('ECONNREFUSED') });
    log.child({ component: 'email-notifier' }).warn({ err, rule: 'cpu' }, 'send failed');
    const [record] = out.records;
    expect(record).toMatchObject({
      service: 'alerter',
      component: 'email-notifier',
      level: 'warn',
      rule: 'cpu',
    });
    expect(record?.err).toMatchObject({ type: 'Error', message: 'send failed: ECONNREFUSED' });
    expect(record?.err).toHaveProperty('stack', expect.stringContaining('create-logger.test.ts'));
  });

  it('removes URL passwords from error messages and stacks', () => {
    const out = capture();
    const log = createLogger({ service: 'ingest', destination: out, env: {} });
    log.error({ err: new Error('cannot connect to postgres://hw:pgpass@db/hostwatch') }, 'database down');
    expect(out.lines[0]).not.toContain('pgpass');
    expect(out.records[0]?.err).toMatchObject({
      message: 'cannot connect to postgres://hw:***@db/hostwatch',
    });
  });

  it.each([
    ['debug', ['debug', 'info', 'warn']],
    ['warn', ['warn']],
    ['silent', []],
  ])('takes its level from LOG_LEVEL=%s', (level, written) => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out, env: { LOG_LEVEL: level } });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    expect(out.records.map((r) => r.level)).toEqual(written);
  });

  it('prefers the level option over LOG_LEVEL, and defaults to info', () => {
    const chosen = capture();
    createLogger({ service: 'api', destination: chosen, level: 'error', env: { LOG_LEVEL: 'debug' } }).warn(
      'w',
    );
    expect(chosen.records).toEqual([]);
    const fallback = capture();
    const log = createLogger({ service: 'api', destination: fallback, env: { LOG_LEVEL: '' } });
    log.debug('d');
    log.info('i');
    expect(fallback.records.map((r) => r.msg)).toEqual(['i']);
  });

  it('refuses an unknown LOG_LEVEL', () => {
    expect(() =>
      createLogger({ service: 'api', destination: capture(), env: { LOG_LEVEL: 'verbose' } }),
    ).toThrow('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"');
  });
});

describe('redaction', () => {
  const secrets = [
    'hunter2',
    's3cret',
    'tok-123',
    'Bearer abc',
    'PRIVATE-KEY-BYTES',
    'pgpass',
    'natspass',
    'deep-one',
    'set-me',
  ];

  function leaked(text: string): string[] {
    return secrets.filter((secret) => text.includes(secret));
  }

  it('redacts secret keys at the top level, in headers, and in nested config objects', () => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out, env: {} });
    log.info(
      {
        password: 'hunter2',
        req: { headers: { authorization: 'Bearer abc', cookie: 'sid=set-me', host: 'api.local' } },
        config: {
          smtp: { host: 'mail', user: 'alerts', password: 's3cret' },
          keys: { privateKey: 'PRIVATE-KEY-BYTES', private_key: 'PRIVATE-KEY-BYTES' },
          nats: { token: 'tok-123' },
        },
        list: [{ secret: 's3cret' }],
      },
      'config loaded',
    );
    const [line] = out.lines;
    expect(leaked(line ?? '')).toEqual([]);
    expect(out.records[0]).toMatchObject({
      password: '[REDACTED]',
      req: { headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', host: 'api.local' } },
      config: {
        smtp: { host: 'mail', user: 'alerts', password: '[REDACTED]' },
        keys: { privateKey: '[REDACTED]', private_key: '[REDACTED]' },
        nats: { token: '[REDACTED]' },
      },
      list: [{ secret: '[REDACTED]' }],
    });
  });

  it('reaches keys at any depth, in any spelling', () => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out, env: {} });
    const deep = { a: { b: { c: { d: { e: { f: { g: { password: 'deep-one', kept: 1 } } } } } } } };
    log.info(
      { deep, env: { SMTP_PASSWORD: 'hunter2', NATS_TOKEN: 'tok-123' }, smtp: { smtpPassword: 's3cret' } },
      'deep',
    );
    expect(leaked(out.lines[0] ?? '')).toEqual([]);
    expect(out.records[0]).toMatchObject({
      deep: { a: { b: { c: { d: { e: { f: { g: { password: '[REDACTED]', kept: 1 } } } } } } } },
      env: { SMTP_PASSWORD: '[REDACTED]', NATS_TOKEN: '[REDACTED]' },
      smtp: { smtpPassword: '[REDACTED]' },
    });
  });

  it('redacts inside circular structures without leaking through the cycle', () => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out, env: {} });
    const config: Record<string, unknown> = { password: 'hunter2', name: 'smtp' };
    config.self = config;
    log.info({ config }, 'circular');
    expect(leaked(out.lines[0] ?? '')).toEqual([]);
    expect(out.records[0]).toMatchObject({
      config: { password: '[REDACTED]', name: 'smtp', self: '[Circular]' },
    });
  });

  it('keeps connection URLs but replaces their password', () => {
    const out = capture();
    const log = createLogger({ service: 'ingest', destination: out, env: {} });
    log.info(
      {
        DATABASE_URL: 'postgres://hostwatch:pgpass@db:5432/hostwatch',
        nats: { servers: ['nats://agent:natspass@n1:4222', 'nats://n2:4222'] },
        target: { url: new URL('https://user:s3cret@example.com/hook') },
      },
      'connecting',
    );
    expect(leaked(out.lines[0] ?? '')).toEqual([]);
    expect(out.records[0]).toMatchObject({
      DATABASE_URL: 'postgres://hostwatch:***@db:5432/hostwatch',
      nats: { servers: ['nats://agent:***@n1:4222', 'nats://n2:4222'] },
      target: { url: 'https://user:***@example.com/hook' },
    });
  });

  it('redacts secrets and URL passwords in child bindings', () => {
    const out = capture();
    const log = createLogger({ service: 'agent', destination: out, env: {} });
    const child = log.child({
      component: 'enroll',
      token: 'tok-123',
      natsUrl: 'nats://agent:natspass@n1:4222',
    });
    child.child({ step: 'two', password: 'hunter2' }).info({ attempt: 1 }, 'enrolling');
    expect(leaked(out.lines[0] ?? '')).toEqual([]);
    expect(out.records[0]).toMatchObject({
      component: 'enroll',
      token: '[REDACTED]',
      natsUrl: 'nats://agent:***@n1:4222',
      step: 'two',
      password: '[REDACTED]',
      attempt: 1,
    });
  });

  it('leaves the logged object itself untouched', () => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out, env: {} });
    const smtp = { password: 'hunter2', hosts: ['mail'] };
    log.info({ smtp }, 'x');
    expect(smtp).toEqual({ password: 'hunter2', hosts: ['mail'] });
    expect(out.records[0]).toMatchObject({ smtp: { password: '[REDACTED]', hosts: ['mail'] } });
  });
});
