import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '@hostwatch/db';
import {
  SERVICE_ROLES,
  generateNkey,
  isServiceRole,
  nkeyPaths,
  publicKeyOfSeedFile,
  readNkeyDirectory,
  registerPublicNkey,
  renderAuthorization,
  renderTls,
  type HostNkey,
  type NkeyPrincipal,
  type ServiceNkey,
} from '@hostwatch/nats-auth';
import { UsageError, type Command, type CommandIo } from '../command.js';

const NKEYS_ENV = 'NATS_NKEYS_DIR';

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse(args: readonly string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals.join(' ')}`);
    return values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
}

function nkeysDir(value: unknown, io: CommandIo): string {
  const dir = typeof value === 'string' ? value : io.env[NKEYS_ENV];
  if (!dir) throw new UsageError(`--nkeys DIR (or ${NKEYS_ENV}) is required`);
  return resolve(io.cwd, dir);
}

/** Every host PostgreSQL knows, with its enrollment status. */
async function hostStatuses(databaseUrl: string): Promise<Map<string, string>> {
  const db = createDb(databaseUrl, { maxConnections: 1, applicationName: 'hostwatch nats-config' });
  try {
    const rows = await db.selectFrom('hosts').select(['host_id', 'status']).execute();
    return new Map(rows.map((r) => [r.host_id, r.status]));
  } finally {
    await db.destroy();
  }
}

/** `hostwatch nats-config`: the nats-server authorization block from the enrolled hosts. */
export const natsConfigCommand: Command = {
  path: ['nats-config'],
  summary: "print nats-server's authorization block: one nkey user per service and per enrolled host",
  usage: `Usage: hostwatch nats-config [--nkeys DIR] [--database-url URL] [--out FILE] [--approved-only]
                             [--tls-cert FILE --tls-key FILE [--tls-ca FILE] [--tls-verify]]

Writes the nats-server configuration that locks NATS down: an 'authorization' block with one nkey
user per service (ingest, alerter, api, operator) and one per host that holds an nkey issued by
the operator and is not revoked in PostgreSQL (with --approved-only: is approved there), each
allowed only what it needs. An agent may publish only on hostwatch.<its id>.> and subscribe only
to its own inbox (_INBOX_<its public nkey>). A revoked host, or one without an nkey, gets no user
and cannot connect; a pending one may connect, but ingest keeps its messages in the quarantine
until 'hostwatch hosts approve'. Include the output from nats-server's configuration
(include ./auth.conf), and reload the server after each change (nats-server --signal reload).

The public nkeys are read from DIR/services/<role>.nk.pub and DIR/hosts/<host id>.nk.pub, as written by
'hostwatch nats-config nkey'.

Options:
  --nkeys DIR          directory of public nkeys (default: ${NKEYS_ENV})
  --database-url URL   PostgreSQL holding the enrolled hosts (default: DATABASE_URL; without
                       one, as on a first install, every host with an nkey gets a user)
  --out FILE           write to FILE (atomically) instead of standard output
  --approved-only      only hosts approved in PostgreSQL (pending ones cannot connect either)
  --tls-cert FILE      also write a 'tls' block: the server's certificate,
  --tls-key FILE       its private key,
  --tls-ca FILE        the CA of the clients' certificates,
  --tls-verify         and require clients to present one`,
  async run(args, io) {
    const values = parse(args, {
      nkeys: { type: 'string' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'tls-verify': { type: 'boolean' },
      'approved-only': { type: 'boolean' },
    });
    const problems: string[] = [];
    const databaseUrl = (values['database-url'] as string | undefined) ?? io.env['DATABASE_URL'];
    if (!databaseUrl && values['approved-only']) problems.push('--approved-only needs DATABASE_URL (or --database-url)');
    const dir =
      typeof values['nkeys'] === 'string' || io.env[NKEYS_ENV] ? nkeysDir(values['nkeys'], io) : undefined;
    if (!dir) problems.push(`--nkeys DIR (or ${NKEYS_ENV}) is required`);
    const tlsCert = values['tls-cert'] as string | undefined;
    const tlsKey = values['tls-key'] as string | undefined;
    if ((tlsCert === undefined) !== (tlsKey === undefined))
      problems.push('--tls-cert and --tls-key go together');
    if ((values['tls-ca'] !== undefined || values['tls-verify']) && tlsCert === undefined) {
      problems.push('--tls-ca and --tls-verify need --tls-cert and --tls-key');
    }
    if (values['tls-verify'] && values['tls-ca'] === undefined) problems.push('--tls-verify needs --tls-ca');
    if (problems.length > 0 || !dir) throw new UsageError(problems.join('; '));

    const keys = await readNkeyDirectory(dir);
    const warn = (line: string): void => void io.stderr.write(`hostwatch nats-config: ${line}\n`);
    for (const problem of keys.problems) warn(`skipped ${problem}`);
    if (!databaseUrl) warn('no DATABASE_URL: every host with an nkey gets a user, revocations are not applied');
    const statuses = databaseUrl ? await hostStatuses(databaseUrl) : new Map<string, string>();

    const services: ServiceNkey[] = [];
    for (const role of SERVICE_ROLES) {
      const nkey = keys.services.get(role);
      if (nkey) services.push({ role, nkey });
      else
        warn(`no nkey for service ${role} (hostwatch nats-config nkey --service ${role}); it cannot connect`);
    }
    const hosts: HostNkey[] = [];
    const approvedOnly = values['approved-only'] === true;
    for (const [hostId, nkey] of keys.hosts) {
      const status = statuses.get(hostId);
      if (status === 'approved' || (!approvedOnly && status !== 'revoked')) hosts.push({ hostId, nkey });
      else warn(`host ${hostId} has an nkey but is ${status ?? 'not enrolled'}; it gets no user`);
    }
    for (const [hostId, status] of statuses) {
      if (status === 'approved' && !keys.hosts.has(hostId)) {
        warn(
          `approved host ${hostId} has no nkey (hostwatch nats-config nkey --host ${hostId}); its agent cannot connect`,
        );
      }
    }

    let text = renderAuthorization({ hosts, services, generatedAt: new Date() });
    if (tlsCert && tlsKey) {
      const caFile = values['tls-ca'] as string | undefined;
      text += renderTls({
        certFile: tlsCert,
        keyFile: tlsKey,
        ...(caFile ? { caFile } : {}),
        verify: values['tls-verify'] === true,
      });
    }
    const out = values['out'] as string | undefined;
    if (out === undefined) io.stdout.write(text);
    else {
      const path = resolve(io.cwd, out);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, text, { mode: 0o644 });
      await rename(temp, path);
      warn(`wrote ${path}: ${services.length} service user(s), ${hosts.length} host(s)`);
    }
    return 0;
  },
};

/** `hostwatch nats-config nkey`: a new nkey for one host or service. */
export const natsNkeyCommand: Command = {
  path: ['nats-config', 'nkey'],
  summary: 'make the NATS nkey of one host or service (seed 0600 and public key)',
  usage: `Usage: hostwatch nats-config nkey (--host ID | --service ROLE) [--nkeys DIR] [--force | --if-missing]
       hostwatch nats-config nkey --host ID --public-key U... [--nkeys DIR] [--force]

Makes a new NATS nkey user and writes its seed to DIR/hosts/<ID>.nk or DIR/services/<ROLE>.nk
(mode 0600: give it to that agent or service as NATS_NKEY_SEED_FILE) and its public key beside it
(.nk.pub, read by 'hostwatch nats-config'). Prints the public key. ROLE is one of
${SERVICE_ROLES.join(', ')}. With --public-key, files the public key of a seed made elsewhere (an
agent that made its own on its host) without any seed.

Options:
  --nkeys DIR   directory of nkeys (default: ${NKEYS_ENV})
  --force          replace an existing seed (the old one stops working at the next reload)
  --if-missing     keep an existing seed and print its public key (for an agent's first start)
  --public-key U…  file this public key instead of making a seed`,
  async run(args, io) {
    const values = parse(args, {
      host: { type: 'string' },
      service: { type: 'string' },
      nkeys: { type: 'string' },
      force: { type: 'boolean' },
      'if-missing': { type: 'boolean' },
      'public-key': { type: 'string' },
    });
    const host = values['host'] as string | undefined;
    const service = values['service'] as string | undefined;
    if ((host === undefined) === (service === undefined))
      throw new UsageError('give exactly one of --host ID or --service ROLE');
    if (service !== undefined && !isServiceRole(service)) {
      throw new UsageError(`--service must be one of ${SERVICE_ROLES.join(', ')}, got '${service}'`);
    }
    const dir = nkeysDir(values['nkeys'], io);
    const principal: NkeyPrincipal =
      host !== undefined ? { host } : { service: service as (typeof SERVICE_ROLES)[number] };
    const force = values['force'] === true;
    const given = values['public-key'] as string | undefined;
    if (force && values['if-missing']) throw new UsageError('give --force or --if-missing, not both');
    if (given !== undefined) {
      if (values['if-missing'])
        throw new UsageError('--if-missing makes a seed; --public-key files one without');
      await registerPublicNkey(dir, principal, given, force);
      io.stdout.write(`${given}\n`);
      return 0;
    }
    const seedFile = nkeyPaths(dir, principal).seed;
    const existing = values['if-missing']
      ? await publicKeyOfSeedFile(seedFile).catch(() => undefined)
      : undefined;
    const publicKey = existing ?? (await generateNkey(dir, principal, force));
    io.stdout.write(`${publicKey}\n`);
    io.stderr.write(`hostwatch nats-config nkey: seed in ${nkeyPaths(dir, principal).seed}\n`);
    return 0;
  },
};
