import { ConfigError } from '@hostwatch/config';
import { describe, expect, it } from 'vitest';
import { readApiConfig } from '../src/config/api-config.js';

const BASE = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/hostwatch', NATS_URL: 'nats://127.0.0.1:4222', API_READ_TOKENS: 'read-token-0123456789' };

describe('readApiConfig', () => {
  it('keeps 128 MiB of series buckets unless API_SERIES_CACHE_MB says otherwise, 0 for none', () => {
    expect(readApiConfig(BASE).seriesCacheMb).toBe(128);
    expect(readApiConfig({ ...BASE, API_SERIES_CACHE_MB: '512' }).seriesCacheMb).toBe(512);
    expect(readApiConfig({ ...BASE, API_SERIES_CACHE_MB: '0' }).seriesCacheMb).toBe(0);
  });

  it('refuses a cache size that is not a whole number of MiB from 0 up, naming the variable', () => {
    for (const bad of ['-1', '1.5', 'lots']) {
      let caught: unknown;
      try {
        readApiConfig({ ...BASE, API_SERIES_CACHE_MB: bad });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).problems.join('\n')).toContain('API_SERIES_CACHE_MB');
    }
  });
});
