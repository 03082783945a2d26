import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, defineConfig, field, loadConfig } from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

const spec = defineConfig({
  natsUrl: field.url({ env: 'NATS_URL', description: 'NATS server.', required: true }),
  statsInterval: field.duration({
    env: 'STATS_INTERVAL',
    description: 'Sampling period.',
    default: '10s',
    min: '1s',
  }),
  spoolDir: field.path({
    env: 'SPOOL_DIR',
    description: 'Spool directory.',
    default: '/var/lib/hostwatch/spool',
  }),
  tags: field.list({ env: 'TAGS', description: 'Host tags.', default: [] }),
  verbose: field.boolean({ env: 'VERBOSE', description: 'Chatty.', default: false }),
});

function loadError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the file, resolves its paths next to it, and lets the environment override it', () => {
    const file = join(fixtures, 'config-dir', 'agent.json');
    const config = loadConfig(spec, { env: { STATS_INTERVAL: '5s' }, file });
    expect(config).toEqual({
      natsUrl: 'nats://file-host:4222',
      statsInterval: 5_000,
      spoolDir: join(fixtures, 'config-dir', 'spool'),
      tags: ['rack-1', 'eu'],
      verbose: true,
    });
  });

  it('lists misspelled keys and bad values with the file, line and column', () => {
    const file = join(fixtures, 'misspelled.json');
    expect(loadError(() => loadConfig(spec, { env: {}, file })).problems).toEqual([
      `${file}:3:3: unknown key "statsIntervall" (did you mean "statsInterval"?)`,
      `${file}:4:14: verbose must be one of true, false, 1, 0, yes, no, got "maybe"`,
    ]);
  });

  it('says when the file cannot be read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hostwatch-config-')), 'missing.json');
    const error = loadError(() => loadConfig(spec, { env: { NATS_URL: 'nats://a' }, file }));
    expect(error.problems).toEqual([expect.stringMatching(/missing\.json: cannot read: ENOENT/)]);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('resolves relative paths from the environment against the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostwatch-config-'));
    writeFileSync(join(dir, 'c.json'), '{"natsUrl": "nats://a"}');
    const config = loadConfig(spec, {
      env: { SPOOL_DIR: 'data/spool' },
      file: join(dir, 'c.json'),
      cwd: '/srv',
    });
    expect(config.spoolDir).toBe('/srv/data/spool');
  });

  it('reads process.env when no environment is given', () => {
    const before = process.env.NATS_URL;
    process.env.NATS_URL = 'nats://from-process:4222';
    try {
      expect(loadConfig(spec).natsUrl).toBe('nats://from-process:4222');
    } finally {
      if (before === undefined) delete process.env.NATS_URL;
      else process.env.NATS_URL = before;
    }
  });
});
