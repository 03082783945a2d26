import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, nkeyAuthenticator, nkeys, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

/** The part of a pino logger this lib writes to. */
export interface NatsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link connectWithBackoff}. */
export interface ConnectOptions {
  /** Server URLs, e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** Client name shown by the server's monitoring (`connz`). */
  readonly name: string;
  readonly log: NatsLog;
  /** Who the client is and how it reaches the server (nkey, TLS); see {@link natsCredentialsFromEnv}. */
  readonly credentials?: NatsCredentials;
  /** Further transport options (authenticator, TLS). */
  readonly transport?: Partial<NodeConnectionOptions>;
  /** Stops retrying when aborted. */
  readonly signal?: AbortSignal;
  /** First and largest delay between attempts of the first connection (defaults 250 ms and 10 s). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** How a client proves who it is to NATS, and over what. Every field is optional: none means an open server. */
export interface NatsCredentials {
  /** File holding the client's nkey seed (`SU…`); its public key names the user in the server's authorization block. */
  readonly nkeySeedFile?: string;
  /** CA bundle that verifies the server's certificate; any TLS file makes the client require TLS. */
  readonly tlsCaFile?: string;
  /** Client certificate and key, for servers that verify clients (`verify: true`). */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
}

/** The environment variables {@link natsCredentialsFromEnv} reads, by field. */
export const NATS_CREDENTIAL_ENV = {
  nkeySeedFile: 'NATS_NKEY_SEED_FILE',
  tlsCaFile: 'NATS_TLS_CA_FILE',
  tlsCertFile: 'NATS_TLS_CERT_FILE',
  tlsKeyFile: 'NATS_TLS_KEY_FILE',
} as const;

/** The NATS credentials named by `NATS_NKEY_SEED_FILE`, `NATS_TLS_CA_FILE`, `NATS_TLS_CERT_FILE` and `NATS_TLS_KEY_FILE`. */
export function natsCredentialsFromEnv(env: NodeJS.ProcessEnv): NatsCredentials {
  const credentials: Record<string, string> = {};
  for (const [field, name] of Object.entries(NATS_CREDENTIAL_ENV)) {
    const value = env[name];
    if (value) credentials[field] = value;
  }
  return credentials;
}

/** Inbox prefix of the nkey user `publicKey`: the only reply subjects the server lets that user subscribe to. */
export function inboxPrefixFor(publicKey: string): string {
  return `_INBOX_${publicKey}`;
}

// Read once, before the first attempt: a missing or wrong seed file is a configuration error, not worth retrying.
function credentialOptions(credentials: NatsCredentials | undefined): Partial<NodeConnectionOptions> {
  if (!credentials) return {};
  const options: Partial<NodeConnectionOptions> = {};
  if (credentials.nkeySeedFile) {
    let seed: Uint8Array;
    let publicKey: string;
    try {
      seed = new TextEncoder().encode(readFileSync(credentials.nkeySeedFile, 'utf8').trim());
      publicKey = nkeys.fromSeed(seed).getPublicKey();
    } catch (err) {
      throw new Error(`cannot use the NATS nkey seed file ${credentials.nkeySeedFile}: ${(err as Error).message}`, { cause: err });
    }
    options.authenticator = nkeyAuthenticator(seed);
    options.inboxPrefix = inboxPrefixFor(publicKey);
  }
  const { tlsCaFile, tlsCertFile, tlsKeyFile } = credentials;
  if (tlsCaFile || tlsCertFile || tlsKeyFile) {
    options.tls = {
      ...(tlsCaFile ? { caFile: tlsCaFile } : {}),
      ...(tlsCertFile ? { certFile: tlsCertFile } : {}),
      ...(tlsKeyFile ? { keyFile: tlsKeyFile } : {}),
    };
  }
  return options;
}

/**
 * Connects to NATS, retrying the first connection with exponential backoff until it succeeds or
 * `signal` aborts; once connected, the client reconnects by itself forever. Connection status
 * changes are logged.
 */
export async function connectWithBackoff(options: ConnectOptions): Promise<NatsConnection> {
  const { log, signal } = options;
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  const servers = typeof options.servers === 'string' ? options.servers.split(',') : [...options.servers];
  const credentials = credentialOptions(options.credentials);
  for (let attempt = 1, delay = initial; ; attempt++, delay = Math.min(max, delay * 2)) {
    signal?.throwIfAborted();
    try {
      const nc = await connect({
        servers,
        name: options.name,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        waitOnFirstConnect: false,
        // A stack trace captured at every request and publish, kept in case it fails, costs more
        // than the rest of a publish; our failures are logged with their subject and context.
        noAsyncTraces: true,
        ...credentials,
        ...options.transport,
      });
      log.info({ server: nc.getServer(), attempt }, 'connected to NATS');
      void watchStatus(nc, log);
      return nc;
    } catch (err) {
      log.warn({ err, servers, attempt, retryInMs: delay }, 'cannot connect to NATS yet');
      await sleep(delay, undefined, { signal });
    }
  }
}

async function watchStatus(nc: NatsConnection, log: NatsLog): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
      log.warn({ status: status.type, server: 'server' in status ? status.server : undefined }, `NATS ${status.type}`);
    }
  }
}
