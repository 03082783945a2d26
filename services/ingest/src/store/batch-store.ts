import type { EventMessageV1, SshMessageV1, StatsMessageV1 } from '@hostwatch/contract';
import type pg from 'pg';
import { writeQuarantine, type QuarantineRecord } from '../quarantine/quarantine-writer.js';
import type { Enrollment } from '../verify/verdict.js';
import { crashPoint, type CrashPoint } from './crash-point.js';
import { DatabaseUnavailableError } from './database-errors.js';
import { recordEnrollments, touchHosts, touchPendingHosts, type HostSighting } from './host-writer.js';
import { utcDay, type PartitionManager } from './partition-manager.js';
import { writeLatestStats } from './latest-stats-writer.js';
import { writeSecurityEvents } from './security-event-writer.js';
import { writeSshEvents } from './ssh-writer.js';
import { prepareSamples, sampleParameters, writeStats } from './stats-writer.js';

/** A valid message to store. */
export interface StoreItem {
  readonly messageId: string;
  readonly message: StatsMessageV1 | SshMessageV1 | EventMessageV1;
}

/** Everything one batch writes, in one transaction. */
export interface StoreBatch {
  readonly items: readonly StoreItem[];
  readonly quarantine: readonly QuarantineRecord[];
  readonly enrollments: readonly Enrollment[];
  /** Hosts heard from with a key still pending. */
  readonly pendingHosts: ReadonlySet<string>;
}

/** What a committed batch changed. */
export interface StoreResult {
  /** Ids of the messages that added at least one row; the others were already stored (re-delivery or replay). */
  readonly stored: ReadonlySet<string>;
  /** Rows skipped because they are dated before the retention window. */
  readonly expired: number;
}

/** Options of {@link BatchStore}. */
export interface BatchStoreOptions {
  readonly retentionDays: number;
  readonly quarantineMaxBytes: number;
  readonly crashAt?: CrashPoint | undefined;
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;

/**
 * Writes a batch in one transaction: enrollments, stats, sshd events with their sessions and
 * daily rollup, security events, host sightings, each host's latest sample and quarantine rows. Unique keys make writing
 * the same messages again a no-op, so the caller acknowledges after commit and a crash anywhere
 * before the acknowledgement only leads to a harmless re-delivery.
 */
export class BatchStore {
  readonly #pool: pg.Pool;
  readonly #options: BatchStoreOptions;
  readonly #partitions: PartitionManager;
  readonly #now: () => number;

  constructor(pool: pg.Pool, partitions: PartitionManager, options: BatchStoreOptions) {
    this.#pool = pool;
    this.#partitions = partitions;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Commits `batch`; rejects without having committed anything. */
  async commit(batch: StoreBatch): Promise<StoreResult> {
    const keepFrom = Date.parse(`${utcDay(this.#now() - this.#options.retentionDays * DAY_MS)}T00:00:00Z`);
    const stats: { messageId: string; message: StatsMessageV1 }[] = [];
    const ssh: { messageId: string; message: SshMessageV1 }[] = [];
    const events: { messageId: string; message: EventMessageV1 }[] = [];
    const days = new Set<string>();
    const sightings = new Map<string, HostSighting & { time?: number }>();
    let expired = 0;
    for (const item of batch.items) {
      const m = item.message;
      const seen = sightings.get(m.hostId);
      if (m.kind === 'stats') {
        const t = Date.parse(m.time);
        if (!seen?.time || seen.time < t)
          sightings.set(m.hostId, {
            hostId: m.hostId,
            addresses: m.addresses,
            hostname: m.hostname,
            time: t,
          });
        if (t < keepFrom) {
          expired += 1;
          continue;
        }
        days.add(utcDay(t));
        stats.push({ messageId: item.messageId, message: m });
      } else {
        if (!seen) sightings.set(m.hostId, { hostId: m.hostId });
        for (const e of m.events) {
          const t = Date.parse(e.time);
          if (t < keepFrom) expired += 1;
          else days.add(utcDay(t));
        }
        if (m.kind === 'ssh') ssh.push({ messageId: item.messageId, message: m });
        else events.push({ messageId: item.messageId, message: m });
      }
    }

    const samples = prepareSamples(stats);
    const parameters = sampleParameters(samples);
    await this.#partitions.ensureDays(days);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw new DatabaseUnavailableError(`cannot reach PostgreSQL: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let release: boolean | Error = true;
    try {
      await client.query('BEGIN');
      await recordEnrollments(client, batch.enrollments);
      const stored = new Set<string>();
      for (const id of await writeStats(client, samples, parameters)) stored.add(id);
      for (const id of await writeSshEvents(client, ssh, keepFrom)) stored.add(id);
      for (const id of await writeSecurityEvents(client, events, keepFrom)) stored.add(id);
      await touchHosts(client, sightings);
      await touchPendingHosts(client, batch.pendingHosts);
      await writeLatestStats(client, samples, parameters);
      await writeQuarantine(client, batch.quarantine, this.#options.quarantineMaxBytes);
      crashPoint(this.#options.crashAt, 'before-commit');
      await client.query('COMMIT');
      return { stored, expired };
    } catch (err) {
      // A client whose connection broke must not go back to the pool.
      release = err instanceof Error ? err : new Error(String(err));
      await client.query('ROLLBACK').then(
        () => (release = true),
        () => undefined,
      );
      throw err;
    } finally {
      client.release(release === true ? undefined : release);
    }
  }
}
