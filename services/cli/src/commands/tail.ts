import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import {
  MESSAGE_KINDS,
  STREAM_NAME,
  SUBJECT_PREFIX,
  hostIdProblem,
  isMessageKind,
  validateMessage,
} from '@hostwatch/contract';
import { createDb } from '@hostwatch/db';
import {
  EnvelopeError,
  MemoryKeyRegistry,
  Opener,
  readKeyFile,
  readPublicKeyFile,
  type KeyRegistry,
  type OpenedMessage,
  type RegisteredKey,
} from '@hostwatch/envelope';
import { connectWithBackoff, natsCredentialsFromEnv } from '@hostwatch/nats';
import { UsageError, type Command, type CommandIo } from '../command.js';

const usage = `Usage: hostwatch tail [SUBJECT] [--host ID] [--kind stats|ssh|event] [--since all|DURATION|TIME]
                      [--host-keys DIR | --database-url URL] [--collector-key FILE] [--json] [--count N]

Follows the ${STREAM_NAME} stream and prints every message opened and verified, one line each:
  TIME HOST KIND MESSAGE-ID BODY                  (BODY is the message as JSON)
A message that does not open (unknown or revoked key, tampered, moved to another host's subject)
or whose body is not a valid message is printed as
  TIME HOST KIND MESSAGE-ID REFUSED|INVALID reason: why
Unlike 'nats sub', which shows only sealed bytes, tail holds the collector's key. It reads through
an ordered ephemeral consumer: it acknowledges nothing and takes nothing from ingest or alerter.

SUBJECT is a NATS subject filter under ${SUBJECT_PREFIX}. (default ${SUBJECT_PREFIX}.>), e.g.
'${SUBJECT_PREFIX}.web-01.>'; or filter with --host and --kind.

Options:
  --host ID            only this host's messages
  --kind K             only this kind (${MESSAGE_KINDS.join(', ')})
  --since S            where to start: new messages only (default), 'all' that the stream holds,
                       a duration back from now (30s, 10m, 2h, 1d) or an ISO-8601 time
  --host-keys DIR      host public key files (*.pub, also in DIR/hosts), instead of PostgreSQL
  --database-url URL   PostgreSQL with the enrolled host keys (default: DATABASE_URL)
  --collector-key FILE the collector's private key (default: COLLECTOR_KEY_FILE)
  --json               one JSON object per line instead
  --count N            stop after N messages
  --server URL         NATS server(s) (default: NATS_URL, else nats://127.0.0.1:4222)

NATS credentials come from NATS_NKEY_SEED_FILE (the 'operator' nkey) and NATS_TLS_CA_FILE,
NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE.`;

interface TailOptions {
  readonly subject: string;
  readonly deliver: { deliver_policy: DeliverPolicy; opt_start_time?: string };
  readonly hostKeys: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly collectorKey: string;
  readonly json: boolean;
  readonly count: number | undefined;
  readonly servers: string;
}

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function parseSince(value: string | undefined, now: number, problems: string[]): TailOptions['deliver'] {
  if (value === undefined) return { deliver_policy: DeliverPolicy.New };
  if (value === 'all') return { deliver_policy: DeliverPolicy.All };
  const duration = DURATION.exec(value);
  let start: number;
  if (duration) start = now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  else start = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(start)) {
    problems.push(`--since must be 'all', a duration such as 10m or an ISO-8601 time, got '${value}'`);
    return { deliver_policy: DeliverPolicy.New };
  }
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(start).toISOString() };
}

/** The subject filter: SUBJECT as given, else one built from --host and --kind. */
function subjectFilter(
  positional: string | undefined,
  host: string | undefined,
  kind: string | undefined,
  problems: string[],
): string {
  if (positional !== undefined) {
    if (host !== undefined || kind !== undefined) problems.push('give SUBJECT or --host/--kind, not both');
    const tokens = positional.split('.');
    if (tokens[0] !== SUBJECT_PREFIX || tokens.length < 2 || tokens.some((t) => t === '' || /\s/.test(t))) {
      problems.push(
        `SUBJECT must be a subject filter under ${SUBJECT_PREFIX}., e.g. ${SUBJECT_PREFIX}.web-01.>, got '${positional}'`,
      );
    }
    return positional;
  }
  if (host !== undefined) {
    const problem = hostIdProblem(host);
    if (problem) problems.push(`--host: ${problem}`);
  }
  if (kind !== undefined && !isMessageKind(kind)) {
    problems.push(`--kind must be one of ${MESSAGE_KINDS.join(', ')}, got '${kind}'`);
  }
  if (host === undefined && kind === undefined) return `${SUBJECT_PREFIX}.>`;
  return `${SUBJECT_PREFIX}.${host ?? '*'}.${kind ?? '*'}`;
}

function parseOptions(args: readonly string[], io: CommandIo): TailOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        host: { type: 'string' },
        kind: { type: 'string' },
        since: { type: 'string' },
        'host-keys': { type: 'string' },
        'database-url': { type: 'string' },
        'collector-key': { type: 'string' },
        json: { type: 'boolean' },
        count: { type: 'string' },
        server: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const problems: string[] = [];
  if (positionals.length > 1) problems.push(`expected at most one SUBJECT, got ${positionals.join(' ')}`);
  const subject = subjectFilter(positionals[0], values.host, values.kind, problems);
  const deliver = parseSince(values.since, Date.now(), problems);
  const collectorKey = values['collector-key'] ?? io.env['COLLECTOR_KEY_FILE'];
  if (!collectorKey) problems.push('the collector key is required: COLLECTOR_KEY_FILE or --collector-key');
  const hostKeys = values['host-keys'];
  const databaseUrl = hostKeys === undefined ? (values['database-url'] ?? io.env['DATABASE_URL']) : undefined;
  if (hostKeys !== undefined && values['database-url'] !== undefined)
    problems.push('give --host-keys or --database-url, not both');
  if (hostKeys === undefined && !databaseUrl) {
    problems.push(
      'host keys are required: --host-keys DIR, or DATABASE_URL / --database-url for the enrolled ones',
    );
  }
  let count: number | undefined;
  if (values.count !== undefined) {
    count = /^[1-9]\d*$/.test(values.count) ? Number(values.count) : Number.NaN;
    if (Number.isNaN(count)) problems.push(`--count must be a positive whole number, got '${values.count}'`);
  }
  if (problems.length > 0 || !collectorKey) throw new UsageError(problems.join('; '));
  return {
    subject,
    deliver,
    hostKeys: hostKeys === undefined ? undefined : resolve(io.cwd, hostKeys),
    databaseUrl,
    collectorKey: resolve(io.cwd, collectorKey),
    json: values.json === true,
    count,
    servers: values.server ?? io.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
  };
}

/** Host public key files in `dir` and `dir/hosts` (NATS nkeys, `.nk.pub`, and the collector's are not host keys). */
async function directoryRegistry(dir: string, io: CommandIo): Promise<MemoryKeyRegistry> {
  const registry = new MemoryKeyRegistry();
  let loaded = 0;
  for (const folder of [dir, join(dir, 'hosts')]) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (err) {
      if (folder !== dir && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`cannot read host keys in ${folder}: ${(err as Error).message}`, { cause: err });
    }
    for (const name of names.sort()) {
      if (!name.endsWith('.pub') || name.endsWith('.nk.pub') || name === 'collector.pub') continue;
      try {
        registry.add(await readPublicKeyFile(join(folder, name), 'host'));
        loaded += 1;
      } catch (err) {
        io.stderr.write(`hostwatch tail: skipped ${join(folder, name)}: ${(err as Error).message}\n`);
      }
    }
  }
  if (loaded === 0) throw new Error(`no host public key files (*.pub) in ${dir}`);
  return registry;
}

/** Host keys as PostgreSQL has them: a revoked host revokes all of its keys. */
class PostgresKeyRegistry implements KeyRegistry {
  constructor(private readonly db: ReturnType<typeof createDb>) {}

  async lookup(hostId: string, keyId: string): Promise<RegisteredKey | undefined> {
    const row = await this.db
      .selectFrom('host_keys')
      .innerJoin('hosts', 'hosts.host_id', 'host_keys.host_id')
      .select(['host_keys.public_key', 'host_keys.status', 'hosts.status as host_status'])
      .where('host_keys.host_id', '=', hostId)
      .where('host_keys.key_id', '=', keyId)
      .executeTakeFirst();
    if (!row) return undefined;
    return { publicKey: row.public_key, status: row.host_status === 'revoked' ? 'revoked' : row.status };
  }
}

// Escapes what could break the one-line-per-message output or a terminal: headers of a refused message are anyone's.
function oneLine(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    const unsafe = code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029;
    out += unsafe ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

interface Line {
  readonly time: string;
  readonly subject: string;
  readonly host: string;
  readonly kind: string;
  readonly id: string;
  readonly status: 'ok' | 'refused' | 'invalid';
  readonly reason?: string;
  readonly error?: string;
  readonly body?: unknown;
}

function describe(m: JsMsg, opened: OpenedMessage | EnvelopeError): Line {
  const tokens = m.subject.split('.');
  const base = {
    time: m.time.toISOString(),
    subject: m.subject,
    host: tokens[1] ?? '-',
    kind: tokens[2] ?? '-',
  };
  if (opened instanceof EnvelopeError) {
    return {
      ...base,
      id: opened.messageId ?? '-',
      status: 'refused',
      reason: opened.reason,
      error: opened.message,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(opened.body));
  } catch (err) {
    return {
      ...base,
      id: opened.messageId,
      status: 'invalid',
      reason: 'not_json',
      error: (err as Error).message,
    };
  }
  const valid = validateMessage(opened.kind, opened.hostId, body);
  if (!valid.ok) {
    return {
      ...base,
      id: opened.messageId,
      status: 'invalid',
      reason: 'schema',
      error: valid.problems.join('; '),
      body,
    };
  }
  return { ...base, id: opened.messageId, status: 'ok', body };
}

function format(line: Line, json: boolean): string {
  if (json) return `${JSON.stringify(line)}\n`;
  const head = `${line.time} ${line.host} ${line.kind} ${line.id}`;
  if (line.status === 'ok') return `${oneLine(`${head} ${JSON.stringify(line.body)}`)}\n`;
  const verdict = `${line.status.toUpperCase()} ${line.reason ?? ''}: ${line.error ?? ''}`;
  return `${oneLine(`${head} ${verdict}`)}\n`;
}

/** `hostwatch tail`: the stream, live, decrypted and verified, one line per message. */
export const tailCommand: Command = {
  path: ['tail'],
  summary: 'print messages live, decrypted and verified, one line each (filter by host and kind)',
  usage,
  async run(args, io) {
    const options = parseOptions(args, io);
    const collector = await readKeyFile(options.collectorKey, 'collector');
    const db = options.databaseUrl
      ? createDb(options.databaseUrl, { maxConnections: 2, applicationName: 'hostwatch tail' })
      : undefined;
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const registry = db ? new PostgresKeyRegistry(db) : await directoryRegistry(options.hostKeys ?? '', io);
      const opener = new Opener({ collectorKeys: collector, registry });
      const nc = await connectWithBackoff({
        servers: options.servers,
        name: 'hostwatch tail',
        log: { info: () => undefined, warn: (obj, msg) => void io.stderr.write(`hostwatch tail: ${msg}\n`) },
        credentials: natsCredentialsFromEnv(io.env),
        signal: abort.signal,
      });
      try {
        const consumer = await jetstream(nc).consumers.get(STREAM_NAME, {
          filter_subjects: [options.subject],
          ...options.deliver,
        });
        const messages = await consumer.consume({ max_messages: 256 });
        abort.signal.addEventListener('abort', () => void messages.stop());
        let printed = 0;
        for await (const m of messages) {
          let opened: OpenedMessage | EnvelopeError;
          try {
            opened = await opener.open(m.data, m.headers ?? {}, m.subject);
          } catch (err) {
            if (!(err instanceof EnvelopeError)) throw err;
            opened = err;
          }
          io.stdout.write(format(describe(m, opened), options.json));
          printed += 1;
          if (options.count !== undefined && printed >= options.count) break;
        }
        await messages.close().catch(() => undefined);
      } finally {
        await nc.drain().catch(() => undefined);
      }
    } catch (err) {
      if (abort.signal.aborted) return 0;
      throw err;
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      await db?.destroy();
    }
    return 0;
  },
};
