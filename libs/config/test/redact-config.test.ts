import { describe, expect, it } from 'vitest';
import { REDACTED, defineConfig, field, parseConfig, redactConfig } from '../src/index.js';

describe('redactConfig', () => {
  it('hides every secret field that has a value, whatever it is called', () => {
    const spec = defineConfig({
      host: field.string({ env: 'SMTP_HOST', description: 'h', default: 'localhost' }),
      credential: field.string({ env: 'SMTP_PASSWORD', description: 'p', required: true, secret: true }),
      dsn: field.url({ env: 'DATABASE_URL', description: 'd', required: true, secret: true }),
      token: field.string({ env: 'API_TOKEN', description: 't', optional: true, secret: true }),
    });
    const config = parseConfig(spec, {
      env: { SMTP_PASSWORD: 'hunter2', DATABASE_URL: 'postgres://hw:s3cret@db/hostwatch' },
    });
    const safe = redactConfig(spec, config);
    expect(safe).toEqual({ host: 'localhost', credential: REDACTED, dsn: REDACTED, token: undefined });
    expect(JSON.stringify(safe)).not.toMatch(/hunter2|s3cret/);
    expect(config.credential).toBe('hunter2');
  });
});
