import { PassThrough } from 'node:stream';
import { generateHostKeyPair } from '@hostwatch/envelope';
import { createTestDatabase } from '@hostwatch/testkit';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

let url: string;
let pool: pg.Pool;
beforeEach(async () => {
  url = await createTestDatabase('cli_hosts');
  pool = new pg.Pool({ connectionString: url, max: 2 });
});
afterEach(async () => {
  await pool.end();
});

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { DATABASE_URL: url },
    cwd: process.cwd(),
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

async function addHost(hostId: string, status: string): Promise<string> {
  const key = generateHostKeyPair(hostId);
  await pool.query('INSERT INTO hosts (host_id, status, addresses) VALUES ($1, $2, $3)', [
    hostId,
    status,
    ['10.0.0.7'],
  ]);
  await pool.query('INSERT INTO host_keys (host_id, key_id, public_key, status) VALUES ($1, $2, $3, $4)', [
    hostId,
    key.keyId,
    Buffer.from(key.publicKey),
    status,
  ]);
  return key.keyId;
}

async function statuses(hostId: string): Promise<{ host: string; keys: string[] }> {
  const host = await pool.query<{ status: string }>('SELECT status FROM hosts WHERE host_id = $1', [hostId]);
  const keys = await pool.query<{ status: string }>('SELECT status FROM host_keys WHERE host_id = $1', [
    hostId,
  ]);
  return { host: host.rows[0]?.status ?? 'none', keys: keys.rows.map((k) => k.status) };
}

describe('hostwatch hosts', () => {
  it('lists hosts with status, keys and addresses, and filters by status', async () => {
    const pendingKey = await addHost('new-01', 'pending');
    await addHost('web-01', 'approved');
    const all = await run('hosts', 'list');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^HOST\s+STATUS\s+LAST SEEN\s+KEYS\s+ADDRESSES$/m);
    expect(all.stdout).toMatch(
      new RegExp(`^new-01\\s+pending\\s+\\S+\\s+${pendingKey} \\(pending\\)\\s+10\\.0\\.0\\.7$`, 'm'),
    );
    expect(all.stdout).toMatch(/^web-01\s+approved\s/m);

    const pending = await run('hosts', 'list', '--status', 'pending', '--json');
    const lines = pending.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { hostId: string; keys: { keyId: string; status: string }[] });
    expect(lines.map((l) => [l.hostId, l.keys])).toEqual([
      ['new-01', [{ keyId: pendingKey, status: 'pending' }]],
    ]);
  });

  it('approves a pending host with its keys, and revokes a host with every key', async () => {
    await addHost('new-01', 'pending');
    expect(await run('hosts', 'approve', 'new-01')).toMatchObject({ code: 0 });
    expect(await statuses('new-01')).toEqual({ host: 'approved', keys: ['approved'] });

    expect(await run('hosts', 'revoke', 'new-01')).toMatchObject({ code: 0 });
    expect(await statuses('new-01')).toEqual({ host: 'revoked', keys: ['revoked'] });

    const again = await run('hosts', 'approve', 'new-01');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/revoked and stays so/);
    expect(await statuses('new-01')).toEqual({ host: 'revoked', keys: ['revoked'] });
  });

  it('revokes one key of a host and leaves the host and its other keys alone', async () => {
    const first = await addHost('web-01', 'approved');
    const second = generateHostKeyPair('web-01');
    await pool.query(
      `INSERT INTO host_keys (host_id, key_id, public_key, status) VALUES ('web-01', $1, $2, 'approved')`,
      [second.keyId, Buffer.from(second.publicKey)],
    );
    expect(await run('hosts', 'revoke', 'web-01', '--key', first)).toMatchObject({
      code: 0,
      stdout: `revoked key ${first} of web-01\n`,
    });
    const keys = await pool.query<{ key_id: string; status: string }>(
      `SELECT key_id, status FROM host_keys WHERE host_id = 'web-01' ORDER BY status`,
    );
    expect(keys.rows).toEqual([
      { key_id: second.keyId, status: 'approved' },
      { key_id: first, status: 'revoked' },
    ]);
    expect((await statuses('web-01')).host).toBe('approved');
  });

  it('says so when the host does not exist', async () => {
    const result = await run('hosts', 'approve', 'nobody');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no host nobody/);
  });
});
