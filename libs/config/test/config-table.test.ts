import { describe, expect, it } from 'vitest';
import { configTable, defineConfig, field } from '../src/index.js';

const spec = defineConfig({
  natsUrl: field.url({
    env: 'NATS_URL',
    description: 'NATS server to publish to.',
    required: true,
    protocols: ['nats', 'tls'],
  }),
  statsInterval: field.duration({
    env: 'STATS_INTERVAL',
    description: 'How often to sample.',
    default: '10s',
    min: '1s',
  }),
  port: field.integer({ env: 'PORT', description: 'Port | listen.', default: 8080, min: 1, max: 65535 }),
  logLevel: field.enum({
    env: 'LOG_LEVEL',
    description: 'Least severe level logged.',
    default: 'info',
    values: ['debug', 'info'],
  }),
  tags: field.list({ env: 'TAGS', description: 'Host tags.', default: [] }),
  verbose: field.boolean({ env: 'VERBOSE', description: 'Chatty.', default: false }),
  spoolDir: field.path({
    env: 'SPOOL_DIR',
    key: 'spool',
    description: 'Spool directory.',
    default: '/var/lib/hostwatch',
  }),
  smtpPassword: field.string({
    env: 'SMTP_PASSWORD',
    description: 'SMTP password.',
    default: 'devpass',
    secret: true,
  }),
  hostName: field.string({ env: 'HOST_NAME', description: 'Host name\noverride.', optional: true }),
});

describe('configTable', () => {
  it('renders the declaration as the README configuration reference', () => {
    expect(configTable(spec)).toBe(
      [
        '| Variable | Type | Default | Description |',
        '| --- | --- | --- | --- |',
        '| `NATS_URL` | url (nats:, tls:) | **required** | NATS server to publish to. |',
        '| `STATS_INTERVAL` | duration (>= 1s) | `10s` | How often to sample. |',
        '| `PORT` | integer (1–65535) | `8080` | Port \\| listen. |',
        '| `LOG_LEVEL` | one of: `debug`, `info` | `info` | Least severe level logged. |',
        '| `TAGS` | list (comma-separated) | (empty) | Host tags. |',
        '| `VERBOSE` | boolean | `false` | Chatty. |',
        '| `SPOOL_DIR` | path | `/var/lib/hostwatch` | Spool directory. |',
        '| `SMTP_PASSWORD` | string | (hidden) | SMTP password. (secret) |',
        '| `HOST_NAME` | string | — | Host name override. |',
        '',
      ].join('\n'),
    );
  });

  it('adds the file keys when asked', () => {
    const lines = configTable(spec, { fileKeys: true }).split('\n');
    expect(lines[0]).toBe('| Variable | File key | Type | Default | Description |');
    expect(lines[8]).toBe('| `SPOOL_DIR` | `spool` | path | `/var/lib/hostwatch` | Spool directory. |');
  });
});
