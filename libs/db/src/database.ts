import type { AlerterTables } from './tables/alerter.js';
import type { HostTables } from './tables/hosts.js';
import type { IngestTables } from './tables/ingest.js';

/**
 * The tables of the hostwatch database, as kysely sees them: one interface per domain, in
 * `tables/<domain>.ts`, beside the migrations that create them.
 */
export type Database = HostTables & IngestTables & AlerterTables;
