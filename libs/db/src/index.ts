export { createDb, type DbOptions } from './connect.js';
export { MigrationError, knownMigrations, migrateToLatest } from './migrate.js';
export type { Database, Generated, HostKeysTable, HostStatus, HostsTable, KyselyMigrationTable, Timestamp } from './schema.js';
