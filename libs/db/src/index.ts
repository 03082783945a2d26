export { createDb, type DbOptions } from './connect.js';
export type { Database } from './database.js';
export { MigrationError, knownMigrations, migrateToLatest } from './migrate.js';
export type { HostKeysTable, HostStatus, HostTables, HostsTable, Timestamp } from './tables/hosts.js';
