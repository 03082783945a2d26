import { ConfigError } from '@hostwatch/config';
import { describe, expect, it } from 'vitest';
import { readIngestConfig } from '../src/index.js';

const REQUIRED = {
  NATS_URL: 'nats://127.0.0.1:4222',
  DATABASE_URL: 'postgres://u@127.0.0.1/hostwatch',
  COLLECTOR_KEY_FILE: '/etc/hostwatch/collector.key',
};

function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    readIngestConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('the configuration was accepted');
}

describe('readIngestConfig', () => {
  it('lists every problem of every field at once', () => {
    expect(
      problems({ INGEST_BATCH_SIZE: '0', HEALTH_PORT: 'eighty', HOSTWATCH_TEST_CRASH_AT: 'sometime' }),
    ).toEqual([
      'NATS_URL is required',
      'DATABASE_URL is required',
      'COLLECTOR_KEY_FILE is required',
      'HEALTH_PORT must be an integer, got "eighty"',
      'INGEST_BATCH_SIZE must be >= 1, got "0"',
      'HOSTWATCH_TEST_CRASH_AT must be one of before-commit, after-commit, got "sometime"',
    ]);
  });

  it('then checks how the settings fit together', () => {
    expect(
      problems({
        ...REQUIRED,
        ENROLLMENT_TOKEN: 'short',
        INGEST_BATCH_SIZE: '500',
        INGEST_MAX_ACK_PENDING: '100',
        INGEST_WRITERS: '4',
        DB_POOL_SIZE: '4',
      }),
    ).toEqual([
      'ENROLLMENT_TOKEN must be at least 16 characters long',
      'INGEST_WRITERS (4) must be less than DB_POOL_SIZE (4): each writer holds a connection, and the key lookups and maintenance need one too',
      'INGEST_BATCH_SIZE (500) must not exceed INGEST_MAX_ACK_PENDING (100)',
    ]);
  });

  it('takes the consumer settings from the contract unless told otherwise, and freezes the result', () => {
    const config = readIngestConfig({ ...REQUIRED, INGEST_ACK_WAIT_MS: '5000' });
    expect(config).toMatchObject({
      ackWaitMs: 5000,
      maxDeliver: 10,
      maxAckPending: 20_000,
      batchSize: 1000,
      writers: 2,
      retentionDays: 30,
      enrollmentToken: undefined,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });
});
