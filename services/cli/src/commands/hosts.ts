import { parseArgs } from 'node:util';
import { createDb, type Database } from '@hostwatch/db';
import type { Kysely } from 'kysely';
import { UsageError, type Command, type CommandIo } from '../command.js';

const DATABASE_OPTION = { 'database-url': { type: 'string' } } as const;

async function withDb<T>(
  url: string | undefined,
  io: CommandIo,
  work: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  const target = url ?? io.env['DATABASE_URL'];
  if (!target) throw new UsageError('DATABASE_URL is required (or --database-url)');
  const db = createDb(target, { maxConnections: 1, applicationName: 'hostwatch hosts' });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `hostwatch hosts list`: every host with its status, keys, last contact and addresses. */
export const hostsListCommand: Command = {
  path: ['hosts', 'list'],
  summary: 'list hosts with their enrollment status and keys',
  usage: `Usage: hostwatch hosts list [--status pending|approved|revoked] [--json] [--database-url URL]

Lists every host ingest knows: enrollment status, keys (id and status), first and last seen,
addresses. A host whose first message came from an unknown key is listed as pending until
'hostwatch hosts approve HOST'.`,
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { ...DATABASE_OPTION, status: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    });
    const status = values.status;
    if (status !== undefined && !['pending', 'approved', 'revoked'].includes(status)) {
      throw new UsageError(`--status must be pending, approved or revoked, not ${status}`);
    }
    return withDb(values['database-url'], io, async (db) => {
      let query = db.selectFrom('hosts').selectAll().orderBy('host_id');
      if (status) query = query.where('status', '=', status as 'pending');
      const hosts = await query.execute();
      const keys = await db
        .selectFrom('host_keys')
        .select(['host_id', 'key_id', 'status'])
        .orderBy('created_at')
        .execute();
      const keysOf = (id: string): { keyId: string; status: string }[] =>
        keys.filter((k) => k.host_id === id).map((k) => ({ keyId: k.key_id, status: k.status }));
      if (values.json) {
        for (const h of hosts) {
          io.stdout.write(
            `${JSON.stringify({
              hostId: h.host_id,
              status: h.status,
              hostname: h.hostname,
              addresses: h.addresses,
              firstSeen: h.first_seen.toISOString(),
              lastSeen: h.last_seen.toISOString(),
              keys: keysOf(h.host_id),
            })}\n`,
          );
        }
        return 0;
      }
      if (hosts.length === 0) {
        io.stdout.write(status ? `no ${status} hosts\n` : 'no hosts yet\n');
        return 0;
      }
      const rows = [['HOST', 'STATUS', 'LAST SEEN', 'KEYS', 'ADDRESSES']];
      for (const h of hosts) {
        rows.push([
          h.host_id,
          h.status,
          h.last_seen.toISOString().replace(/\.\d+Z$/, 'Z'),
          keysOf(h.host_id)
            .map((k) => `${k.keyId} (${k.status})`)
            .join(', ') || '-',
          h.addresses.join(',') || '-',
        ]);
      }
      io.stdout.write(`${table(rows)}\n`);
      return 0;
    });
  },
};

function hostAndKey(
  args: readonly string[],
  io: CommandIo,
  what: string,
): { host: string; key: string | undefined; url: string | undefined } {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...DATABASE_OPTION, key: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`name exactly one host to ${what}`);
  void io;
  return { host: positionals[0], key: values.key, url: values['database-url'] };
}

/** `hostwatch hosts approve HOST [--key KEYID]`: lets a pending host's data in. */
export const hostsApproveCommand: Command = {
  path: ['hosts', 'approve'],
  summary: 'approve a pending host (and its pending keys, or one --key)',
  usage: `Usage: hostwatch hosts approve HOST [--key KEYID] [--database-url URL]

Approves the host and its pending keys (only KEYID with --key). Messages it sends from then on
are stored; what it sent while pending was not kept. A revoked host or key stays revoked.`,
  async run(args, io) {
    const { host, key, url } = hostAndKey(args, io, 'approve');
    return withDb(url, io, (db) =>
      db.transaction().execute(async (trx) => {
        const found = await trx
          .selectFrom('hosts')
          .select('status')
          .where('host_id', '=', host)
          .forUpdate()
          .executeTakeFirst();
        if (!found) throw new UsageError(`no host ${host}; see hostwatch hosts list`);
        if (found.status === 'revoked') throw new Error(`host ${host} is revoked and stays so`);
        let keys = trx
          .updateTable('host_keys')
          .set({ status: 'approved' })
          .where('host_id', '=', host)
          .where('status', '=', 'pending');
        if (key) keys = keys.where('key_id', '=', key);
        const approved = await keys.returning('key_id').execute();
        if (key && approved.length === 0) throw new Error(`host ${host} has no pending key ${key}`);
        await trx
          .updateTable('hosts')
          .set({ status: 'approved', approved_at: new Date() })
          .where('host_id', '=', host)
          .where('status', '=', 'pending')
          .execute();
        io.stdout.write(
          `approved ${host}${approved.length ? ` (keys ${approved.map((k) => k.key_id).join(', ')})` : ''}\n`,
        );
        return 0;
      }),
    );
  },
};

/** `hostwatch hosts revoke HOST [--key KEYID]`: refuses a host's (or one key's) messages from now on. */
export const hostsRevokeCommand: Command = {
  path: ['hosts', 'revoke'],
  summary: 'revoke a host (every key) or one --key of it',
  usage: `Usage: hostwatch hosts revoke HOST [--key KEYID] [--database-url URL]

Revokes the host and all its keys, or only KEYID with --key. Messages sealed with a revoked key
are quarantined with reason revoked_key; ingest notices within KEY_CACHE_MS.`,
  async run(args, io) {
    const { host, key, url } = hostAndKey(args, io, 'revoke');
    return withDb(url, io, (db) =>
      db.transaction().execute(async (trx) => {
        const found = await trx
          .selectFrom('hosts')
          .select('status')
          .where('host_id', '=', host)
          .forUpdate()
          .executeTakeFirst();
        if (!found) throw new UsageError(`no host ${host}; see hostwatch hosts list`);
        const now = new Date();
        let keys = trx
          .updateTable('host_keys')
          .set({ status: 'revoked', revoked_at: now })
          .where('host_id', '=', host)
          .where('status', '!=', 'revoked');
        if (key) keys = keys.where('key_id', '=', key);
        const revoked = await keys.returning('key_id').execute();
        if (key) {
          if (revoked.length === 0) throw new Error(`host ${host} has no unrevoked key ${key}`);
          io.stdout.write(`revoked key ${key} of ${host}\n`);
          return 0;
        }
        await trx
          .updateTable('hosts')
          .set({ status: 'revoked', revoked_at: now })
          .where('host_id', '=', host)
          .execute();
        io.stdout.write(
          `revoked ${host}${revoked.length ? ` (keys ${revoked.map((k) => k.key_id).join(', ')})` : ''}\n`,
        );
        return 0;
      }),
    );
  },
};
