import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';

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
  /** Further transport options (authenticator, TLS). */
  readonly transport?: Partial<NodeConnectionOptions>;
  /** Stops retrying when aborted. */
  readonly signal?: AbortSignal;
  /** First and largest delay between attempts of the first connection (defaults 250 ms and 10 s). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
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
