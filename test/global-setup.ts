import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '@hostwatch/db';
import { startTestPostgres, type TestPostgres } from '@hostwatch/testkit';

/** Name of the migrated database each test database is cloned from. */
export const TEMPLATE_DATABASE = 'hostwatch_template';

let cluster: TestPostgres | undefined;

/** Vitest global setup: one PostgreSQL cluster for the run, with a migrated template database. */
export async function setup(project: TestProject): Promise<void> {
  cluster = await startTestPostgres();
  const templateUrl = await cluster.createDatabase(TEMPLATE_DATABASE);
  await migrateToLatest(templateUrl);
  project.provide('hostwatchPostgres', { url: cluster.url(), template: TEMPLATE_DATABASE });
}

/** Vitest global teardown: stop the cluster and remove its files. */
export async function teardown(): Promise<void> {
  await cluster?.dispose();
}
