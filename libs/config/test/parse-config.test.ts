import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  defineConfig,
  field,
  parseConfig,
  type ConfigEnv,
  type ConfigOf,
} from '../src/index.js';

const spec = defineConfig({
  natsUrl: field.url({
    env: 'NATS_URL',
    description: 'NATS server.',
    required: true,
    protocols: ['nats', 'tls'],
  }),
  statsInterval: field.duration({
    env: 'STATS_INTERVAL',
    description: 'Sampling period.',
    default: '10s',
    min: '1s',
    max: '1h',
  }),
  spoolDir: field.path({ env: 'SPOOL_DIR', description: 'Spool directory.', default: 'spool' }),
  port: field.integer({ env: 'PORT', description: 'Listen port.', default: 8080, min: 1, max: 65535 }),
  logLevel: field.enum({
    env: 'LOG_LEVEL',
    description: 'Log level.',
    default: 'info',
    values: ['debug', 'info', 'warn'],
  }),
  tags: field.list({ env: 'TAGS', description: 'Host tags.', default: [] }),
  verbose: field.boolean({ env: 'VERBOSE', description: 'Chatty.', default: false }),
  hostName: field.string({ env: 'HOST_NAME', description: 'Host name override.', optional: true }),
  databaseUrl: field.url({
    env: 'DATABASE_URL',
    description: 'PostgreSQL.',
    optional: true,
    secret: true,
    protocols: ['postgres', 'postgresql'],
  }),
});

const minimal: ConfigEnv = { NATS_URL: 'nats://localhost:4222' };

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig from the environment', () => {
  it('fails listing every problem at once, in the message too', () => {
    const error = (() => {
      try {
        parseConfig(spec, { env: { STATS_INTERVAL: '500ms' } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'NATS_URL is required',
      'STATS_INTERVAL must be >= 1s, got "500ms"',
    ]);
    expect((error as ConfigError).message).toBe(
      'invalid configuration: NATS_URL is required; STATS_INTERVAL must be >= 1s, got "500ms"',
    );
  });

  it('applies defaults, leaves optional fields undefined and types the result', () => {
    const config = parseConfig(spec, { env: minimal, cwd: '/srv/agent' });
    expect(config).toEqual({
      natsUrl: 'nats://localhost:4222',
      statsInterval: 10_000,
      spoolDir: '/srv/agent/spool',
      port: 8080,
      logLevel: 'info',
      tags: [],
      verbose: false,
      hostName: undefined,
      databaseUrl: undefined,
    });
    expectTypeOf(config).toEqualTypeOf<ConfigOf<typeof spec>>();
    expectTypeOf(config.statsInterval).toEqualTypeOf<number>();
    expectTypeOf(config.logLevel).toEqualTypeOf<'debug' | 'info' | 'warn'>();
    expectTypeOf(config.tags).toEqualTypeOf<readonly string[]>();
    expectTypeOf(config.hostName).toEqualTypeOf<string | undefined>();
  });

  it('decodes every kind of value', () => {
    const config = parseConfig(spec, {
      env: {
        NATS_URL: ' tls://nats.example:4222 ',
        STATS_INTERVAL: '1m30s',
        SPOOL_DIR: '/var/lib/hostwatch/spool',
        PORT: '443',
        LOG_LEVEL: 'debug',
        TAGS: ' rack-1, eu ,,web ',
        VERBOSE: 'YES',
        HOST_NAME: ' web-01 ',
        DATABASE_URL: 'postgres://hw:pw@db/hostwatch',
      },
    });
    expect(config).toEqual({
      natsUrl: 'tls://nats.example:4222',
      statsInterval: 90_000,
      spoolDir: '/var/lib/hostwatch/spool',
      port: 443,
      logLevel: 'debug',
      tags: ['rack-1', 'eu', 'web'],
      verbose: true,
      hostName: ' web-01 ',
      databaseUrl: 'postgres://hw:pw@db/hostwatch',
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['No', false],
  ])('reads the boolean %j as %s', (text, value) => {
    expect(parseConfig(spec, { env: { ...minimal, VERBOSE: text } }).verbose).toBe(value);
  });

  it('says what is wrong with each bad value', () => {
    const problems = problemsOf(() =>
      parseConfig(spec, {
        env: {
          NATS_URL: 'http://nats:4222',
          STATS_INTERVAL: '10',
          PORT: '70000',
          LOG_LEVEL: 'INFO',
          VERBOSE: 'sure',
          SPOOL_DIR: '   ',
        },
      }),
    );
    expect(problems).toEqual([
      'NATS_URL must be a nats: or tls: URL, got "http://nats:4222"',
      'STATS_INTERVAL must be a duration such as 500ms, 10s, 2m or 1h, got "10"',
      'SPOOL_DIR must be a path, got "   "',
      'PORT must be <= 65535, got "70000"',
      'LOG_LEVEL must be one of debug, info, warn, got "INFO"',
      'VERBOSE must be one of true, false, 1, 0, yes, no, got "sure"',
    ]);
  });

  it.each([
    ['PORT', '0', 'PORT must be >= 1, got "0"'],
    ['PORT', '80.5', 'PORT must be an integer, got "80.5"'],
    ['PORT', '9007199254740993', 'PORT must be an integer, got "9007199254740993"'],
    ['STATS_INTERVAL', '2h', 'STATS_INTERVAL must be <= 1h, got "2h"'],
    ['NATS_URL', 'localhost:4222', 'NATS_URL must be a nats: or tls: URL, got "localhost:4222"'],
    ['NATS_URL', 'not a url', 'NATS_URL must be an absolute URL, got "not a url"'],
  ])('refuses %s=%j', (name, value, problem) => {
    expect(problemsOf(() => parseConfig(spec, { env: { ...minimal, [name]: value } }))).toEqual([problem]);
  });

  it('never echoes a secret value', () => {
    const problems = problemsOf(() =>
      parseConfig(spec, { env: { ...minimal, DATABASE_URL: 'mysql://hw:hunter2@db/hostwatch' } }),
    );
    expect(problems).toEqual(['DATABASE_URL must be a postgres: or postgresql: URL']);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig(spec, { env: { ...minimal, PORT: '', HOST_NAME: '' } })).toMatchObject({
      port: 8080,
      hostName: undefined,
    });
    expect(problemsOf(() => parseConfig(spec, { env: { NATS_URL: '' } }))).toEqual(['NATS_URL is required']);
  });

  it('returns a deeply frozen object', () => {
    const config = parseConfig(spec, { env: { ...minimal, TAGS: 'a,b' } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tags)).toBe(true);
    expect(Reflect.set(config, 'port', 1)).toBe(false);
    expect(Reflect.set(config.tags, 0, 'z')).toBe(false);
    expect(config.port).toBe(8080);
    expect(config.tags).toEqual(['a', 'b']);
  });
});

describe('parseConfig with a JSON file', () => {
  const file = (text: string): { name: string; text: string } => ({
    name: '/etc/hostwatch/agent.json',
    text,
  });

  it('reads values of their JSON types, resolves paths against the file, and lets the environment override', () => {
    const text = JSON.stringify({
      natsUrl: 'nats://from-file:4222',
      port: 9000,
      verbose: true,
      tags: ['a', 'b'],
      statsInterval: '30s',
      spoolDir: 'spool',
      hostName: null,
    });
    const config = parseConfig(spec, {
      env: { NATS_URL: 'nats://from-env:4222', PORT: '9001' },
      file: file(text),
      cwd: '/',
    });
    expect(config).toMatchObject({
      natsUrl: 'nats://from-env:4222',
      port: 9001,
      verbose: true,
      tags: ['a', 'b'],
      statsInterval: 30_000,
      spoolDir: '/etc/hostwatch/spool',
      hostName: undefined,
    });
  });

  it('rejects unknown and duplicate keys with line and column, suggesting the known key', () => {
    const text =
      '{\n  "natsUrl": "nats://a:4222",\n  "statsIntervall": "30s",\n  "NATS_URL": "x",\n  "port": 1,\n  "port": 2\n}\n';
    expect(problemsOf(() => parseConfig(spec, { env: {}, file: file(text) }))).toEqual([
      '/etc/hostwatch/agent.json:3:3: unknown key "statsIntervall" (did you mean "statsInterval"?)',
      '/etc/hostwatch/agent.json:4:3: unknown key "NATS_URL" (did you mean "natsUrl"?)',
      '/etc/hostwatch/agent.json:6:3: duplicate key "port"',
    ]);
  });

  it('reports a bad value at its line and column, alongside problems from the environment', () => {
    const text = '{\r\n  "port": "eighty",\r\n  "tags": [1, 2],\r\n  "statsInterval": 10\r\n}';
    expect(problemsOf(() => parseConfig(spec, { env: { VERBOSE: 'maybe' }, file: file(text) }))).toEqual([
      'NATS_URL is required (or "natsUrl" in /etc/hostwatch/agent.json)',
      '/etc/hostwatch/agent.json:4:20: statsInterval must be a duration such as 500ms, 10s, 2m or 1h, got 10',
      '/etc/hostwatch/agent.json:2:11: port must be an integer, got "eighty"',
      '/etc/hostwatch/agent.json:3:11: tags must be a comma-separated string or an array of strings, got [1,2]',
      'VERBOSE must be one of true, false, 1, 0, yes, no, got "maybe"',
    ]);
  });

  it('still reports a bad file value that the environment overrides', () => {
    const text = '{ "port": -1 }';
    expect(
      problemsOf(() => parseConfig(spec, { env: { ...minimal, PORT: '80' }, file: file(text) })),
    ).toEqual(['/etc/hostwatch/agent.json:1:11: port must be >= 1, got -1']);
  });

  it.each([
    ['{\n  "port": }', '2:11', "invalid JSON: Unexpected token '}'"],
    ['{\n  "port": 1,\n}', '3:1', 'invalid JSON: Expected double-quoted property name'],
    ['{\n  "port" 1\n}', '2:10', "invalid JSON: Expected ':' after property name"],
    ['{\n  "port": 1', '2:12', "invalid JSON: Expected ',' or '}' after property value"],
    ['', '1:1', 'invalid JSON: Unexpected end of JSON input'],
    ['{"natsUrl": "nats://a", "tags": tru}', '1:36', "invalid JSON: Unexpected token '}'"],
    [
      '{\n  "natsUrl": "nats://a-long-host-name:4222",\n  "tags": [1, nul, 2]\n}',
      '3:18',
      "invalid JSON: Unexpected token ','",
    ],
    [
      '{\n  "natsUrl": "nats://a-long-host-name:4222",\n  "tags": @\n}',
      '3:11',
      "invalid JSON: Unexpected token '@'",
    ],
    [
      '{\n  "natsUrl": "nats://a-long-host-name:4222",\n  "statsInterval": 10s\n}',
      '3:22',
      "invalid JSON: Expected ',' or '}' after property value",
    ],
  ])('reports a syntax error in %j at line:column %s', (text, position, problem) => {
    expect(problemsOf(() => parseConfig(spec, { env: minimal, file: file(text) }))).toEqual([
      `/etc/hostwatch/agent.json:${position}: ${problem}`,
    ]);
  });

  it('refuses a file that is not an object', () => {
    expect(problemsOf(() => parseConfig(spec, { env: minimal, file: file('["natsUrl"]') }))).toEqual([
      '/etc/hostwatch/agent.json: must hold a JSON object of settings, got an array',
    ]);
  });

  it('accepts a byte order mark', () => {
    const config = parseConfig(spec, { env: {}, file: file('\uFEFF{"natsUrl": "nats://a:4222"}') });
    expect(config.natsUrl).toBe('nats://a:4222');
  });

  it('reads a field from its declared file key', () => {
    const smtp = defineConfig({
      smtpPort: field.integer({ env: 'SMTP_PORT', key: 'port', description: 'SMTP port.', default: 587 }),
      smtpSecure: field.boolean({
        env: 'SMTP_SECURE',
        key: 'secure',
        description: 'Implicit TLS.',
        default: false,
      }),
    });
    const config = parseConfig(smtp, {
      env: { SMTP_SECURE: 'yes' },
      file: file('{"port": 465, "secure": false}'),
    });
    expect(config).toEqual({ smtpPort: 465, smtpSecure: true });
  });
});

describe('defineConfig', () => {
  it('refuses two fields reading one variable', () => {
    expect(() =>
      defineConfig({
        a: field.string({ env: 'SAME', description: 'a', optional: true }),
        b: field.string({ env: 'SAME', description: 'b', optional: true }),
      }),
    ).toThrow('config fields a and b both read SAME');
  });

  it('refuses two fields with one file key', () => {
    expect(() =>
      defineConfig({
        port: field.integer({ env: 'A', description: 'a', optional: true }),
        other: field.integer({ env: 'B', key: 'port', description: 'b', optional: true }),
      }),
    ).toThrow('config fields port and other both use file key "port"');
  });

  it('refuses a default that its own field would refuse', () => {
    expect(() => field.duration({ env: 'TICK', description: 't', default: '10', min: '1s' })).toThrow(
      'config field TICK: default must be a duration such as 500ms, 10s, 2m or 1h',
    );
    expect(() => field.integer({ env: 'N', description: 'n', default: 0, min: 1 })).toThrow(
      'config field N: default must be >= 1',
    );
  });

  it('refuses an environment variable name that is not upper case', () => {
    expect(() => field.string({ env: 'natsUrl', description: 'n', optional: true })).toThrow(
      /env must be upper case/,
    );
  });

  it('refuses a field that is both required and defaulted', () => {
    const options = { env: 'BOTH', description: 'b', required: true, default: 'x' } as never;
    expect(() => field.string(options)).toThrow(
      'config field BOTH: declare exactly one of required: true, a default, or optional: true',
    );
  });
});
