import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import { freePort } from './free-port.js';

/** Options of {@link startPostgres}. */
export interface PostgresOptions {
  /** Directory holding PostgreSQL's programs (initdb, pg_ctl). */
  readonly pgBin: string;
  /** Directory of the cluster (data, socket, log); initialised on first use, kept across runs. */
  readonly dir: string;
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** Trade durability for speed (fsync off): for throwaway test clusters only. */
  readonly unsafeFast?: boolean;
  /** Told of changes made outside `dir` (search permission on its parents). */
  readonly note?: (message: string) => void;
}

/** A private PostgreSQL cluster on 127.0.0.1 (trust authentication, loopback only). */
export interface PostgresCluster {
  readonly port: number;
  readonly dir: string;
  /** A connection URL for database `database` (default `postgres`). */
  url(database?: string): string;
  /** Creates a database, from `template` when given, and returns its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  /** Stops the server gracefully (`pg_ctl stop -m fast`), keeping the data. */
  stop(): Promise<void>;
  /** Stops the server as a crash would (`pg_ctl stop -m immediate`). */
  crash(): Promise<void>;
  /** Starts the server again on the same port. */
  start(): Promise<void>;
}

interface Runner {
  (command: string, args: readonly string[]): Promise<string>;
}

/** initdb and pg_ctl refuse to run as root: as root they run as the `postgres` user. */
function runner(pgBin: string): Runner {
  const asRoot = process.getuid?.() === 0;
  return (command, args) =>
    new Promise((resolve, reject) => {
      const binary = join(pgBin, command);
      const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, [...args]];
      const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`)),
      );
    });
}

/** Quotes an SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * As root, the server runs as `postgres`, which must be able to reach `dir`: every parent that
 * lets neither it nor others through gets search permission for others (`o+x`: enter, not list).
 */
async function letPostgresReach(dir: string, uid: number, note: (message: string) => void): Promise<void> {
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    const info = await stat(parent);
    if (info.uid !== uid && (info.mode & 0o001) === 0) {
      await chmod(parent, (info.mode & 0o7777) | 0o001);
      note(`gave others search permission (o+x) on ${parent} so the postgres user can reach ${dir}`);
    }
    if (dirname(parent) === parent) break;
  }
}

/** Starts a private cluster in `dir`, running initdb first when the directory holds none. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresCluster> {
  const { dir } = options;
  const run = runner(options.pgBin);
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : userInfo().username;
  if (!existsSync(join(data, 'PG_VERSION'))) {
    await mkdir(data, { recursive: true });
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      await chown(dir, uid, gid);
      await chown(data, uid, gid);
      await letPostgresReach(dir, uid, options.note ?? (() => undefined));
    }
    const initdb = ['-D', data, '-A', 'trust', '-U', user, '-E', 'UTF8', '--no-instructions'];
    await run('initdb', options.unsafeFast ? [...initdb, '--no-sync'] : initdb);
  }
  const port = options.port ?? (await freePort());
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    ...(options.unsafeFast ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
  ].join(' ');
  const start = async (): Promise<void> => {
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-o', settings, '-w', '-t', '60', 'start']);
  };
  const stopWith = async (mode: 'fast' | 'immediate'): Promise<void> => {
    try {
      await run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    } catch (err) {
      if (!String(err).includes('Is server running?')) throw err;
    }
  };
  await start();
  const url = (database = 'postgres'): string => `postgres://${user}@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    url,
    createDatabase: async (name, template) => {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop: () => stopWith('fast'),
    crash: () => stopWith('immediate'),
    start,
  };
}

/** Reads the server log of a cluster, for failure messages. */
export async function postgresLog(cluster: PostgresCluster): Promise<string> {
  return readFile(join(cluster.dir, 'postgres.log'), 'utf8').catch(() => '');
}
