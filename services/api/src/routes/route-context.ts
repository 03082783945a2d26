import type { Database } from '@hostwatch/db';
import type { Kysely } from 'kysely';
import type { FleetSnapshot } from '../live/fleet-snapshot.js';
import type { LiveFeed } from '../live/live-feed.js';

/** What the `/api/v1` routes share: the database, the fleet snapshot, the live feed and the clock. */
export interface RouteContext {
  readonly db: Kysely<Database>;
  readonly snapshot: FleetSnapshot;
  readonly feed: LiveFeed;
  readonly now: () => Date;
  readonly offlineAfterMs: number;
  readonly latestWithinMs: number;
  /** Most bytes of whole 5-minute-rollup buckets kept for series. */
  readonly seriesCacheBytes: number;
}
