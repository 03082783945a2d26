import type { Migration } from 'kysely';
import * as hostsAndKeys from './2026-11-23T1900_hosts-and-keys.js';
import * as ingest from './2026-11-23T2000_ingest.js';
import * as alerter from './2026-11-23T2100_alerter.js';
import * as alertSilences from './2026-11-23T2110_alert-silences.js';
import * as queryIndexes from './2026-11-23T2200_query-indexes.js';
import * as hostLatest from './2026-11-23T2300_host-latest.js';
import * as hostStats5m from './2026-11-23T2330_host-stats-5m.js';
import * as hostStats5mSeriesIndex from './2026-11-23T2340_host-stats-5m-series-index.js';
import * as alerterHostProgress from './2026-11-24T0100_alerter-host-progress.js';
import * as alerterWaitingLines from './2026-11-24T1500_alerter-waiting-lines.js';

/**
 * Every migration, by its dated name, oldest first. Names sort in the order they apply; a new
 * migration gets a new dated file and a line here, and a released one is never edited.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '2026-11-23T1900_hosts-and-keys': hostsAndKeys,
  '2026-11-23T2000_ingest': ingest,
  '2026-11-23T2100_alerter': alerter,
  '2026-11-23T2110_alert-silences': alertSilences,
  '2026-11-23T2200_query-indexes': queryIndexes,
  '2026-11-23T2300_host-latest': hostLatest,
  '2026-11-23T2330_host-stats-5m': hostStats5m,
  '2026-11-23T2340_host-stats-5m-series-index': hostStats5mSeriesIndex,
  '2026-11-24T0100_alerter-host-progress': alerterHostProgress,
  '2026-11-24T1500_alerter-waiting-lines': alerterWaitingLines,
};
