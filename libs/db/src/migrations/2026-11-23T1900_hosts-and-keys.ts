import { sql, type Kysely } from 'kysely';

// Frozen: a released migration never changes; a later one alters what it made.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('hosts')
    .addColumn('host_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending','approved','revoked')`))
    .addColumn('hostname', 'text')
    .addColumn('addresses', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('first_seen', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('approved_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('host_keys')
    .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.host_id').onDelete('cascade'))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'bytea', (c) => c.notNull().check(sql`octet_length(public_key) = 32`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending','approved','revoked')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addPrimaryKeyConstraint('host_keys_pkey', ['host_id', 'key_id'])
    .execute();

  await db.schema.createIndex('hosts_addresses_idx').on('hosts').using('gin').column('addresses').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('host_keys').execute();
  await db.schema.dropTable('hosts').execute();
}
