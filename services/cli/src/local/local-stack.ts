import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ALERTER_NODE_FLAGS } from '@hostwatch/alerter';
import { hostIdFromHostname } from '@hostwatch/contract';
import { createDb, migrateToLatest } from '@hostwatch/db';
import {
  generateCollectorKeyPair,
  generateHostKeyPair,
  readKeyFile,
  writeKeyFile,
  writePublicKeyFile,
  type HostKeyPair,
} from '@hostwatch/envelope';
import { findTools, startNatsServer, startPostgres, type NatsServer, type PostgresCluster } from '@hostwatch/local-servers';
import { startMailCatcher, type MailCatcher } from './mail-catcher.js';
import { ServiceProcess } from './service-process.js';
import { choosePorts, type StackPorts } from './stack-state.js';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** The checkout (for `.hostwatch/tools.json`). */
  readonly root: string;
  /** Where the stack keeps its state: database, stream store, keys, mail, ports. */
  readonly stateDir: string;
  /** The `hostwatch` executable the services run as (`bin/hostwatch.js`). */
  readonly cliBin: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where progress and the services' logs go. */
  readonly out: NodeJS.WritableStream;
  /** nats-server's `sync_interval`: `always` (the default) or a duration such as `1s`. */
  readonly natsSync?: string;
}

/** A running local stack. */
export interface LocalStack {
  readonly ports: StackPorts;
  readonly hostId: string;
  readonly databaseUrl: string;
  /** What to open, one line each. */
  readonly summary: string;
  /** Stops every piece, the last started first. */
  stop(): Promise<void>;
}

const DATABASE = 'hostwatch';

async function ensureDatabase(cluster: PostgresCluster): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return cluster.url(DATABASE);
}

async function ensureKeys(keysDir: string, hostId: string): Promise<{ host: HostKeyPair; paths: Record<string, string> }> {
  await mkdir(join(keysDir, 'hosts'), { recursive: true, mode: 0o700 });
  const paths = {
    collector: join(keysDir, 'collector.key'),
    collectorPublic: join(keysDir, 'collector.pub'),
    host: join(keysDir, 'hosts', `${hostId}.key`),
    hostPublic: join(keysDir, 'hosts', `${hostId}.pub`),
  };
  if (!existsSync(paths.collector)) {
    const collector = generateCollectorKeyPair();
    await writeKeyFile(paths.collector, collector);
    await writePublicKeyFile(paths.collectorPublic, collector);
  }
  if (!existsSync(paths.host)) {
    const host = generateHostKeyPair(hostId);
    await writeKeyFile(paths.host, host);
    await writePublicKeyFile(paths.hostPublic, host);
  }
  return { host: await readKeyFile(paths.host, 'host'), paths };
}

/** The machine running the stack is enrolled and approved: its agent is ours. */
async function approveLocalHost(databaseUrl: string, key: HostKeyPair): Promise<void> {
  const db = createDb(databaseUrl, { maxConnections: 1, applicationName: 'hostwatch start' });
  try {
    const now = new Date();
    await db
      .insertInto('hosts')
      .values({ host_id: key.hostId, status: 'approved', hostname: hostname(), approved_at: now })
      .onConflict((oc) => oc.column('host_id').doNothing())
      .execute();
    await db
      .insertInto('host_keys')
      .values({ host_id: key.hostId, key_id: key.keyId, public_key: Buffer.from(key.publicKey), status: 'approved' })
      .onConflict((oc) => oc.columns(['host_id', 'key_id']).doNothing())
      .execute();
  } finally {
    await db.destroy();
  }
}

/** Whether `url` answers 200 within `timeoutMs`. */
async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** The API's bearer tokens of the local stack: made on the first run, kept 0600 in the state directory. */
async function ensureApiTokens(stateDir: string): Promise<{ read: string; admin: string }> {
  const file = join(stateDir, 'api-tokens.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as { read: string; admin: string };
  const tokens = { read: randomBytes(24).toString('base64url'), admin: randomBytes(24).toString('base64url') };
  await writeFile(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return tokens;
}

/** Which of this machine's auth logs the local agent can read, or why it watches none. */
async function localAuthLog(env: NodeJS.ProcessEnv): Promise<{ source: string; note?: string }> {
  if (env['AUTH_LOG_PATHS'] || env['AUTH_LOG_SOURCE']) return { source: env['AUTH_LOG_SOURCE'] ?? 'file' };
  for (const path of ['/var/log/auth.log', '/var/log/secure']) {
    try {
      await access(path, constants.R_OK);
      return { source: 'auto' };
    } catch {
      // Not there or not readable: try the next.
    }
  }
  return {
    source: 'none',
    note: 'no readable /var/log/auth.log or /var/log/secure here: the local agent sends statistics only (set AUTH_LOG_PATHS to watch a log)',
  };
}

const DEFAULT_RULES = (hostId: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<!-- hostwatch alert rules for the local stack; the format is described in docs/rules.md. -->
<clients>
  <client ip="127.0.0.1" host="${hostId}" mail="ops@localhost">
    <alert type="memory" limit="90%" />
    <alert type="cpu" limit="95%" />
  </client>
</clients>
`;

/**
 * Starts the whole system on this machine: PostgreSQL (unless `DATABASE_URL` is set), nats-server,
 * the mail catcher, ingest, alerter, api and an agent watching this machine. Reuses the state of
 * an earlier run. On failure, whatever had started is stopped again before the error is thrown.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { stateDir, out, env } = options;
  const say = (line: string): void => void out.write(`hostwatch: ${line}\n`);
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { name, stop } of stops.reverse()) {
      const started = Date.now();
      await stop().then(
        () => say(`stopped ${name} (${Date.now() - started} ms)`),
        (err: Error) => say(`stopping ${name} failed: ${err.message}`),
      );
    }
    stops.length = 0;
  };

  try {
    await mkdir(stateDir, { recursive: true });
    const tools = findTools(options.root);
    const ports = await choosePorts(stateDir);
    const hostId = env['HOST_ID'] ?? hostIdFromHostname(hostname());

    let databaseUrl = env['DATABASE_URL'];
    if (!databaseUrl) {
      say(`starting PostgreSQL on 127.0.0.1:${ports.postgres} (${join(stateDir, 'postgres')})`);
      const cluster = await startPostgres({
        pgBin: tools.pgBin,
        dir: join(stateDir, 'postgres'),
        port: ports.postgres,
        note: say,
      });
      stops.push({ name: 'PostgreSQL', stop: () => cluster.stop() });
      databaseUrl = await ensureDatabase(cluster);
    }
    say('migrating the database');
    const applied = await migrateToLatest(databaseUrl);
    say(applied.length ? `applied ${applied.map((m) => m.migrationName).join(', ')}` : 'database is up to date');

    const syncInterval = options.natsSync ?? 'always';
    say(`starting nats-server on 127.0.0.1:${ports.nats} (JetStream, sync_interval: ${syncInterval})`);
    const nats: NatsServer = await startNatsServer({
      syncInterval,
      binary: tools.natsServer,
      dir: join(stateDir, 'nats'),
      port: ports.nats,
      monitorPort: ports.natsMonitor,
    });
    stops.push({ name: 'nats-server', stop: () => nats.stop() });

    const { host, paths } = await ensureKeys(join(stateDir, 'keys'), hostId);
    await approveLocalHost(databaseUrl, host);
    say(`host ${hostId} enrolled with key ${host.keyId}`);

    const rulesFile = join(stateDir, 'rules.xml');
    if (!existsSync(rulesFile)) await writeFile(rulesFile, DEFAULT_RULES(hostId));

    const tokens = await ensureApiTokens(stateDir);
    const authLog = await localAuthLog(env);
    if (authLog.note) say(authLog.note);

    const mail: MailCatcher = await startMailCatcher(join(stateDir, 'mail'), ports.smtp, ports.mail);
    stops.push({ name: 'mail catcher', stop: () => mail.stop() });

    const common = {
      ...env,
      NATS_URL: nats.url,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: env['LOG_LEVEL'] ?? 'info',
    };
    const services: Record<string, NodeJS.ProcessEnv> = {
      ingest: { ...common, HEALTH_PORT: String(ports.ingest), COLLECTOR_KEY_FILE: paths.collector },
      alerter: {
        ...common,
        HEALTH_PORT: String(ports.alerter),
        COLLECTOR_KEY_FILE: paths.collector,
        RULES_FILE: rulesFile,
        EMAIL_HOST: '127.0.0.1',
        EMAIL_PORT: String(ports.smtp),
        EMAIL_SECURE: 'false',
        EMAIL_FROM: 'hostwatch@localhost',
      },
      api: {
        ...common,
        API_HOST: '127.0.0.1',
        API_PORT: String(ports.api),
        COLLECTOR_KEY_FILE: paths.collector,
        API_READ_TOKENS: tokens.read,
        API_ADMIN_TOKENS: tokens.admin,
      },
      agent: {
        ...common,
        HEALTH_PORT: String(ports.agent),
        HOST_ID: hostId,
        HOST_KEY_FILE: paths.host,
        COLLECTOR_PUBLIC_KEY_FILE: paths.collectorPublic,
        AGENT_STATE_DIR: join(stateDir, 'agent'),
        AUTH_LOG_SOURCE: authLog.source,
      },
    };
    for (const [name, serviceEnv] of Object.entries(services)) {
      const service = new ServiceProcess({ name, command: [process.execPath, ...(name === 'alerter' ? ALERTER_NODE_FLAGS : []), options.cliBin, name], env: serviceEnv, output: out });
      service.start();
      stops.push({ name, stop: () => service.stop() });
    }

    say('waiting for the services to answer');
    const healthy = await Promise.all(
      [
        ['api', `http://127.0.0.1:${ports.api}/healthz`],
        ['ingest', `http://127.0.0.1:${ports.ingest}/healthz`],
        ['alerter', `http://127.0.0.1:${ports.alerter}/healthz`],
      ].map(async ([name, url]) => ((await answers(url!, 90_000)) ? undefined : name)),
    );
    const silent = healthy.filter(Boolean);
    if (silent.length > 0) say(`not answering yet: ${silent.join(', ')} (see their log lines above)`);

    const summary = [
      `dashboard      http://127.0.0.1:${ports.api}/#token=${tokens.admin}`,
      `OpenAPI        http://127.0.0.1:${ports.api}/docs  (document: /openapi.json)`,
      `API health     http://127.0.0.1:${ports.api}/healthz`,
      `API tokens     read ${tokens.read}  admin ${tokens.admin}  (${join(stateDir, 'api-tokens.json')})`,
      `caught mail    http://127.0.0.1:${ports.mail}/  (SMTP on 127.0.0.1:${ports.smtp}, files in ${join(stateDir, 'mail')})`,
      `NATS           ${nats.url}  (monitoring http://127.0.0.1:${ports.natsMonitor}/)  live: nats sub 'hostwatch.${hostId}.>'`,
      `PostgreSQL     ${databaseUrl}`,
      `this machine   host id ${hostId}, rules in ${rulesFile}`,
    ].join('\n');
    return { ports, hostId, databaseUrl, summary, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
