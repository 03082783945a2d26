import { spawn } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import { freePort } from './free-port.js';
import { findTools } from './tools.js';

/** A real PostgreSQL cluster on 127.0.0.1 in its own temp dir, that a test controls. */
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
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
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

/** initdb + pg_ctl start of a private cluster (trust auth, loopback only, fsync off: test data only). */
export async function startPostgres(): Promise<PostgresCluster> {
  const { pgBin } = findTools();
  const run = runner(pgBin);
  const dir = await mkdtemp(join(tmpdir(), 'hostwatch-pg-'));
  const data = join(dir, 'data');
  await mkdir(data);
  if (process.getuid?.() === 0) {
    const uid = Number((await runAs('id', ['-u', 'postgres'])).trim());
    const gid = Number((await runAs('id', ['-g', 'postgres'])).trim());
    await chown(dir, uid, gid);
    await chown(data, uid, gid);
  }
  const user = process.getuid?.() === 0 ? 'postgres' : userInfo().username;
  await run('initdb', ['-D', data, '-A', 'trust', '-U', user, '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
    '-c shared_buffers=128MB',
  ].join(' ');
  const start = async (): Promise<void> => {
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']);
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
    dispose: async () => {
      await stopWith('immediate');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function runAs(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}`))));
  });
}

/** Reads the server log of a cluster, for failure messages. */
export async function postgresLog(cluster: PostgresCluster): Promise<string> {
  return readFile(join(cluster.dir, 'postgres.log'), 'utf8').catch(() => '');
}
