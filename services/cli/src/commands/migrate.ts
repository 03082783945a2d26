import { parseArgs } from 'node:util';
import { knownMigrations, migrateToLatest } from '@hostwatch/db';
import { UsageError, type Command } from '../command.js';

/** `hostwatch migrate`: applies every pending database migration. */
export const migrateCommand: Command = {
  path: ['migrate'],
  summary: 'apply pending database migrations (DATABASE_URL)',
  usage: `Usage: hostwatch migrate [--database-url URL]

Applies every migration this build knows that the database has not seen, in order, each in its
own transaction. Safe to run any number of times. The database comes from --database-url or the
DATABASE_URL environment variable.`,
  async run(args, io) {
    const { values } = parseArgs({ args: [...args], options: { 'database-url': { type: 'string' } }, strict: true });
    const url = values['database-url'] ?? io.env['DATABASE_URL'];
    if (!url) throw new UsageError('DATABASE_URL is required (or --database-url)');
    const results = await migrateToLatest(url);
    for (const r of results) io.stdout.write(`applied ${r.migrationName}\n`);
    io.stdout.write(
      results.length === 0
        ? `database is up to date (${knownMigrations().length} migrations)\n`
        : `${results.length} migration(s) applied\n`,
    );
    return 0;
  },
};
