import type pg from 'pg';

/** The tables partitioned by day of their `time` column. */
export const PARTITIONED_TABLES = ['host_stats', 'ssh_events', 'security_events'] as const;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the UTC day `ms` falls in. */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

function partitionName(table: string, day: string): string {
  return `${table}_p${day.replaceAll('-', '')}`;
}

/**
 * Creates the daily partitions of the time-series tables (ahead of time and on demand) and drops
 * whole partitions past retention. Creating is idempotent and safe when replicas race.
 */
export class PartitionManager {
  readonly #pool: pg.Pool;
  readonly #known = new Set<string>();
  #serial: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Makes sure every partitioned table has a partition for each UTC day in `days`. */
  async ensureDays(days: Iterable<string>): Promise<void> {
    const missing = [...days].filter((d) => !this.#known.has(d));
    if (missing.length === 0) return;
    // One creator at a time in this process (the batch store and maintenance share this manager).
    const run = this.#serial.then(() => this.#create(missing));
    this.#serial = run.catch(() => undefined);
    await run;
  }

  async #create(days: readonly string[]): Promise<void> {
    for (const day of days) {
      if (this.#known.has(day)) continue;
      const next = utcDay(Date.parse(`${day}T00:00:00Z`) + DAY_MS);
      for (const table of PARTITIONED_TABLES) {
        const name = partitionName(table, day);
        const statement = `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${day} 00:00:00+00') TO ('${next} 00:00:00+00')`;
        try {
          await this.#pool.query(statement);
        } catch (err) {
          // Another replica creating the same partition at the same moment makes this one fail in
          // one of several ways (duplicate type, relation exists, tuple concurrently updated):
          // the partition existing afterwards is what counts.
          const { rows } = await this.#pool.query<{ found: string | null }>(
            'SELECT to_regclass($1)::text AS found',
            [name],
          );
          if (!rows[0]?.found) throw err;
        }
      }
      this.#known.add(day);
    }
  }

  /** Creates the partitions of `aheadDays` days from the day of `nowMs` on, and of the day before. */
  async ensureAhead(nowMs: number, aheadDays: number): Promise<void> {
    const days: string[] = [];
    for (let i = -1; i <= aheadDays; i++) days.push(utcDay(nowMs + i * DAY_MS));
    await this.ensureDays(days);
  }

  /** Drops every daily partition whose day ends before the retention cutoff; returns the dropped names. */
  async dropOlderThan(nowMs: number, retentionDays: number): Promise<string[]> {
    const cutoff = utcDay(nowMs - retentionDays * DAY_MS).replaceAll('-', '');
    const { rows } = await this.#pool.query<{ name: string; parent: string }>(
      `SELECT c.relname AS name, p.relname AS parent
         FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = ANY($1::text[])`,
      [[...PARTITIONED_TABLES]],
    );
    const dropped: string[] = [];
    for (const { name, parent } of rows) {
      const match = /_p(\d{8})$/.exec(name);
      if (!match?.[1] || match[1] >= cutoff || name !== `${parent}_p${match[1]}`) continue;
      await this.#pool.query(`DROP TABLE IF EXISTS ${name}`);
      const day = `${match[1].slice(0, 4)}-${match[1].slice(4, 6)}-${match[1].slice(6)}`;
      this.#known.delete(day);
      dropped.push(name);
    }
    return dropped.sort();
  }

  /** The first UTC day still kept under `retentionDays`, as `YYYY-MM-DD`. */
  static firstKeptDay(nowMs: number, retentionDays: number): string {
    return utcDay(nowMs - retentionDays * DAY_MS);
  }
}
