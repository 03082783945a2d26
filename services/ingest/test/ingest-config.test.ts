import { describe, expect, it } from 'vitest';
import { IngestConfigError, readIngestConfig } from '../src/index.js';

describe('readIngestConfig', () => {
  it('lists every problem at once', () => {
    let error: unknown;
    try {
      readIngestConfig({ INGEST_BATCH_SIZE: '0', HEALTH_PORT: 'eighty', ENROLLMENT_TOKEN: 'short', HOSTWATCH_TEST_CRASH_AT: 'sometime' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IngestConfigError);
    expect((error as IngestConfigError).problems).toEqual([
      'NATS_URL is required',
      'DATABASE_URL is required',
      'COLLECTOR_KEY_FILE is required',
      'HEALTH_PORT must be an integer from 0 to 65535, not "eighty"',
      'INGEST_BATCH_SIZE must be an integer from 1 to 10000, not "0"',
      'HOSTWATCH_TEST_CRASH_AT must be one of before-commit, after-commit, not "sometime"',
      'ENROLLMENT_TOKEN must be at least 16 characters long',
    ]);
  });

  it('takes the consumer settings from the contract unless told otherwise, and freezes the result', () => {
    const config = readIngestConfig({ NATS_URL: 'nats://127.0.0.1:4222', DATABASE_URL: 'postgres://x/y', COLLECTOR_KEY_FILE: '/k', INGEST_ACK_WAIT_MS: '5000' });
    expect(config).toMatchObject({ ackWaitMs: 5000, maxDeliver: 10, maxAckPending: 20_000, batchSize: 1000, retentionDays: 30, enrollmentToken: undefined });
    expect(Object.isFrozen(config)).toBe(true);
  });
});
