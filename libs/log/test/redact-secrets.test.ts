import { describe, expect, it } from 'vitest';
import { BINDING_KEYS, REDACTED, keyKind, redactSecrets } from '../src/index.js';

describe('keyKind', () => {
  it.each([
    'password',
    'PASSWORD',
    'SMTP_PASSWORD',
    'smtpPassword',
    'db-password',
    'pass',
    'passwd',
    'token',
    'NATS_TOKEN',
    'accessToken',
    'secret',
    'clientSecret',
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'privateKey',
    'private_key',
    'apiKey',
    'api_key',
    'passphrase',
  ])('treats %j as a secret', (key) => {
    expect(keyKind(key)).toBe('secret');
  });

  it.each([
    'url',
    'DATABASE_URL',
    'databaseUrl',
    'natsUrl',
    'webhook_uri',
    'dsn',
    'connectionString',
    'servers',
  ])('treats %j as a URL', (key) => {
    expect(keyKind(key)).toBe('url');
  });

  it.each(['user', 'username', 'passed', 'tokens', 'keyId', 'publicKey', 'host', 'port', 'hostId', 'bypass'])(
    'keeps %j',
    (key) => {
      expect(keyKind(key)).toBe('plain');
    },
  );

  it('classifies every binding key as a secret or a URL', () => {
    for (const key of BINDING_KEYS) expect([key, keyKind(key)]).not.toEqual([key, 'plain']);
  });
});

describe('redactSecrets', () => {
  it('copies only what changes and leaves the input alone', () => {
    const shared = { host: 'mail' };
    const input = { smtp: { password: 'hunter2', shared }, other: shared, list: [1, 2] };
    const output = redactSecrets(input);
    expect(output).toEqual({ smtp: { password: REDACTED, shared }, other: shared, list: [1, 2] });
    expect(output.other).toBe(shared);
    expect(output.list).toBe(input.list);
    expect(input.smtp.password).toBe('hunter2');
  });

  it('keeps absent secrets visible as absent', () => {
    expect(redactSecrets({ password: '', token: null, secret: undefined })).toEqual({
      password: '',
      token: null,
      secret: undefined,
    });
  });

  it('leaves class instances, errors and dates to their serialisers', () => {
    const err = Object.assign(new Error('x'), { code: 'E' });
    const when = new Date(0);
    const output = redactSecrets({ err, when });
    expect(output.err).toBe(err);
    expect(output.when).toBe(when);
  });
});
