import type { Database } from '@hostwatch/db';
import type { Kysely } from 'kysely';
import {
  hostFingerprint,
  loadHostDigests,
  loadHostRows,
  toHostSummary,
  type HostSummaryWithDetail,
} from '../queries/host-summaries.js';
import type { HostSummaryBody } from '../schemas/host.js';

/** Options of {@link FleetSnapshot}. */
export interface FleetSnapshotOptions {
  readonly db: Kysely<Database>;
  /** The clock; tests pass a fixed one. */
  readonly now: () => Date;
  readonly offlineAfterMs: number;
  readonly latestWithinMs: number;
  /** What to do with a failed refresh (the previous snapshot stays). */
  readonly onError: (err: unknown) => void;
}

/** Hosts whose summary changed between two snapshots. */
export type FleetChangeListener = (changed: readonly HostSummaryBody[]) => void;

/**
 * Every host with its latest stats, keys and latest detail, loaded by one query per refresh however
 * many clients ask: the fleet list and one host's view are served from it, and the live feed sends
 * what changed between two refreshes.
 */
export class FleetSnapshot {
  #hosts: readonly HostSummaryBody[] = [];
  #byId = new Map<string, HostSummaryBody>();
  #details = new Map<string, HostSummaryWithDetail>();
  #fingerprints = new Map<string, string>();
  #generatedAt = new Date(0);
  #generation = 0;
  #listeners = new Set<FleetChangeListener>();
  #refreshing: Promise<void> | undefined;
  #again: Promise<void> | undefined;

  constructor(private readonly options: FleetSnapshotOptions) {}

  /** Every host, ordered by host id, as of {@link generatedAt}. */
  get hosts(): readonly HostSummaryBody[] {
    return this.#hosts;
  }

  /** One host in detail as of {@link generatedAt}, or undefined when it was not known then. */
  host(hostId: string): HostSummaryWithDetail | undefined {
    return this.#details.get(hostId);
  }

  /** Counts the loads: what is computed from the snapshot is good while this stays the same. */
  get generation(): number {
    return this.#generation;
  }

  /** When the snapshot was loaded. */
  get generatedAt(): Date {
    return this.#generatedAt;
  }

  /** Calls `listener` with the hosts that changed at each refresh; returns the unsubscribe function. */
  onChange(listener: FleetChangeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Reloads the snapshot with what the database holds now: a load under way may have read before
   * the caller's change, so the caller waits for the next one, which every caller meanwhile shares.
   * Rejects only when the query fails.
   */
  refresh(): Promise<void> {
    if (this.#refreshing === undefined) {
      this.#refreshing = this.#load().finally(() => {
        this.#refreshing = undefined;
      });
      return this.#refreshing;
    }
    this.#again ??= this.#refreshing
      .catch(() => undefined)
      .then(() => {
        this.#again = undefined;
        return this.refresh();
      });
    return this.#again;
  }

  /** Refresh, reporting a failure to `onError` instead of rejecting (for the refresh timer). */
  async refreshQuietly(): Promise<void> {
    await this.refresh().catch(this.options.onError);
  }

  async #load(): Promise<void> {
    const now = this.options.now();
    const options = {
      now,
      offlineAfterMs: this.options.offlineAfterMs,
      latestWithinMs: this.options.latestWithinMs,
    };
    // A digest of every host first; full rows only for hosts that changed, about a fifth of a fleet
    // per 2 s refresh at 10 s samples. The rest keep their objects, so a refresh parses in
    // proportion to what changed.
    const rows = await loadHostDigests(this.options.db, options);
    const fingerprints = new Map<string, string>();
    const stale = new Set<string>();
    for (const row of rows) {
      const fingerprint = hostFingerprint(row, options);
      fingerprints.set(row.host_id, fingerprint);
      if (this.#fingerprints.get(row.host_id) !== fingerprint) stale.add(row.host_id);
    }
    const fresh = new Map<string, HostSummaryWithDetail>();
    if (stale.size > 0) {
      for (const row of await loadHostRows(this.options.db, { ...options, hostIds: [...stale] })) {
        fresh.set(row.host_id, toHostSummary(row, options));
      }
    }
    const hosts: HostSummaryBody[] = [];
    const byId = new Map<string, HostSummaryBody>();
    const details = new Map<string, HostSummaryWithDetail>();
    const changed: HostSummaryBody[] = [];
    for (const row of rows) {
      const detail = fresh.get(row.host_id);
      let host = this.#byId.get(row.host_id);
      if (detail !== undefined) {
        details.set(row.host_id, detail);
        const { approvedAt: _a, revokedAt: _r, keys: _k, detail: _d, ...summary } = detail;
        if (host === undefined || JSON.stringify(host) !== JSON.stringify(summary)) {
          host = summary;
          changed.push(host);
        }
      } else {
        const before = this.#details.get(row.host_id);
        if (before !== undefined) details.set(row.host_id, before);
        // Changed but gone from the second read: read it again at the next refresh.
        if (stale.has(row.host_id)) fingerprints.delete(row.host_id);
      }
      if (host === undefined) continue;
      hosts.push(host);
      byId.set(row.host_id, host);
    }
    this.#hosts = hosts;
    this.#byId = byId;
    this.#details = details;
    this.#fingerprints = fingerprints;
    this.#generatedAt = now;
    this.#generation += 1;
    if (changed.length > 0) for (const listener of this.#listeners) listener(changed);
  }
}
