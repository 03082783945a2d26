import type pg from 'pg';
import { isTransientDatabaseError } from '../store/database-errors.js';
import type { IngestLog } from '../log/ingest-log.js';
import type { PartitionManager } from '../store/partition-manager.js';
import { expireFiveMinuteStats, rollupFiveMinuteStats } from './five-minute-rollup.js';
import { rollupHourlyStats } from './hourly-rollup.js';

/** Options of {@link Maintenance}. */
export interface MaintenanceOptions {
  readonly retentionDays: number;
  readonly rollupRetentionDays: number;
  readonly quarantineRetentionDays: number;
  readonly partitionsAheadDays: number;
  /** Hours of stats rolled up again at each run, so late samples are counted. */
  readonly rollupLookbackHours?: number;
  /** Minutes of stats re-aggregated into the 5-minute rollup at each run (default 30). */
  readonly fiveMinuteLookbackMinutes?: number;
  readonly log: IngestLog;
  readonly now?: () => number;
}

/** What one run of {@link Maintenance.runOnce} did, or that another replica was doing it. */
export interface MaintenanceReport {
  readonly ran: boolean;
  readonly droppedPartitions: readonly string[];
  readonly hourlyRows: number;
  readonly fiveMinuteRows: number;
  readonly deleted: Readonly<Record<string, number>>;
}

/** Key of the advisory lock that lets one replica at a time maintain the schema. */
const LOCK_KEY = 0x686f7374; // 'host'

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The scheduled upkeep: daily partitions created ahead of time, partitions past retention
 * dropped whole, the 5-minute and hourly stats rollups refreshed, old rollups, sessions and quarantine rows
 * removed. Replicas take turns through a PostgreSQL advisory lock.
 */
export class Maintenance {
  readonly #pool: pg.Pool;
  readonly #partitions: PartitionManager;
  readonly #o: MaintenanceOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(pool: pg.Pool, partitions: PartitionManager, options: MaintenanceOptions) {
    this.#pool = pool;
    this.#partitions = partitions;
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Runs every task once, unless another replica holds the lock. */
  async runOnce(): Promise<MaintenanceReport> {
    const client = await this.#pool.connect();
    let failure: Error | undefined;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        LOCK_KEY,
      ]);
      if (!rows[0]?.locked)
        return { ran: false, droppedPartitions: [], hourlyRows: 0, fiveMinuteRows: 0, deleted: {} };
      try {
        const now = this.#now();
        await this.#partitions.ensureAhead(now, this.#o.partitionsAheadDays);
        const droppedPartitions = await this.#partitions.dropOlderThan(now, this.#o.retentionDays);
        const lookback = (this.#o.rollupLookbackHours ?? 3) * HOUR_MS;
        const hourlyRows = await rollupHourlyStats(
          client,
          new Date(Math.floor((now - lookback) / HOUR_MS) * HOUR_MS),
          new Date(now + HOUR_MS),
        );
        const rawCutoff = new Date(now - this.#o.retentionDays * DAY_MS);
        // From the lookback, or from where the rollup stopped when maintenance missed runs, so its
        // coverage has no holes; never before the raw samples kept.
        const { rows: coverage } = await client.query<{ until: Date }>(
          'SELECT covered_until AS until FROM host_stats_5m_coverage',
        );
        const lookbackStart = now - (this.#o.fiveMinuteLookbackMinutes ?? 30) * 60_000;
        const fiveMinuteStart = Math.max(
          rawCutoff.getTime(),
          Math.min(lookbackStart, coverage[0]?.until.getTime() ?? lookbackStart),
        );
        // Up to a minute ago: a slot is covered once the samples of its last seconds have arrived.
        const fiveMinuteRows = await rollupFiveMinuteStats(
          client,
          new Date(fiveMinuteStart),
          new Date(now - 60_000),
        );
        const rollupCutoff = new Date(now - this.#o.rollupRetentionDays * DAY_MS);
        const quarantineCutoff = new Date(now - this.#o.quarantineRetentionDays * DAY_MS);
        const deletes: [string, string, Date][] = [
          ['host_stats_hourly', 'DELETE FROM host_stats_hourly WHERE hour < $1', rollupCutoff],
          ['ssh_daily', 'DELETE FROM ssh_daily WHERE day < $1::date', rollupCutoff],
          ['ssh_daily_sessions', 'DELETE FROM ssh_daily_sessions WHERE day < $1::date', rawCutoff],
          ['ssh_daily_sources', 'DELETE FROM ssh_daily_sources WHERE day < $1::date', rawCutoff],
          ['ssh_sessions', 'DELETE FROM ssh_sessions WHERE ended_at < $1', rawCutoff],
          ['quarantine', 'DELETE FROM quarantine WHERE received_at < $1', quarantineCutoff],
        ];
        const deleted: Record<string, number> = {};
        for (const [table, statement, cutoff] of deletes) {
          deleted[table] = (await client.query(statement, [cutoff])).rowCount ?? 0;
        }
        deleted['host_stats_5m'] = await expireFiveMinuteStats(client, rawCutoff);
        return { ran: true, droppedPartitions, hourlyRows, fiveMinuteRows, deleted };
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
      }
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      throw err;
    } finally {
      // A connection that failed is closed rather than handed back (its advisory lock goes with it).
      client.release(failure);
    }
  }

  /** Runs now and then every `intervalMs`; a failed run is logged and retried at the next tick. */
  start(intervalMs: number): void {
    const run = (): void => {
      this.#running = this.runOnce().then(
        (report) => {
          if (
            report.ran &&
            (report.droppedPartitions.length > 0 || Object.values(report.deleted).some((n) => n > 0))
          ) {
            this.#o.log.info({ ...report }, 'maintenance: retention applied');
          }
        },
        (err: unknown) => {
          const level = isTransientDatabaseError(err) ? 'warn' : 'error';
          this.#o.log[level]({ err }, 'maintenance failed; retrying at the next run');
        },
      );
    };
    run();
    this.#timer = setInterval(run, intervalMs);
    this.#timer.unref();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
