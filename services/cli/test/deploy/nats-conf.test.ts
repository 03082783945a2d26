import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTools } from '@hostwatch/local-servers';
import { connectWithBackoff } from '@hostwatch/nats';
import { startTestNatsServer } from '@hostwatch/testkit';
import { generateNkey, renderAuthorization, renderTls } from '@hostwatch/nats-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo, run } from './deploy-paths.js';

const quiet = { info: () => undefined, warn: () => undefined };
let dir: string;
let auth: string;
let tls: Certificates;

interface Certificates {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** A CA and a server certificate for 127.0.0.1 and localhost, made by openssl. */
async function makeCertificates(at: string): Promise<Certificates> {
  await mkdir(at, { recursive: true });
  const p = (name: string): string => join(at, name);
  const openssl = (...args: string[]): Promise<unknown> => run('openssl', args, { cwd: at });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=hostwatch test CA',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
  );
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=nats',
    '-keyout',
    p('tls.key'),
    '-out',
    p('tls.csr'),
  );
  await writeFile(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    p('tls.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    p('san.ext'),
    '-out',
    p('tls.crt'),
  );
  return { ca: p('ca.crt'), cert: p('tls.crt'), key: p('tls.key') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-nats-conf-'));
  const nkeys = join(dir, 'nkeys');
  tls = await makeCertificates(join(dir, 'tls'));
  auth =
    renderAuthorization({
      services: [{ role: 'ingest', nkey: await generateNkey(nkeys, { service: 'ingest' }) }],
      hosts: [{ hostId: 'web-01', nkey: await generateNkey(nkeys, { host: 'web-01' }) }],
    }) + renderTls({ certFile: tls.cert, keyFile: tls.key, caFile: tls.ca });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Lays the configuration out as the container sees it (auth/auth.conf beside it) and asks nats-server to check it. */
async function check(source: string, env: NodeJS.ProcessEnv = {}, authText = auth): Promise<string> {
  const etc = await mkdtemp(join(dir, 'etc-'));
  await mkdir(join(etc, 'auth'));
  await writeFile(join(etc, 'nats.conf'), await readFile(join(repo, source), 'utf8'));
  await writeFile(join(etc, 'auth', 'auth.conf'), authText);
  const { stdout, stderr } = await run(findTools().natsServer, ['-t', '-c', join(etc, 'nats.conf')], {
    env: { ...process.env, ...env },
  });
  return stdout + stderr;
}

describe('nats-server configurations of the deployments', () => {
  it('compose: nats-server accepts it with the generated authorization and TLS blocks', async () => {
    expect(await check('deploy/compose/nats/nats.conf')).toMatch(/configuration file .* is valid/);
  });

  it('kubernetes: nats-server accepts the clustered configuration for pod nats-0', async () => {
    expect(await check('deploy/k8s/base/nats/nats.conf', { POD_NAME: 'nats-0' })).toMatch(/is valid/);
  });

  it('single node fsyncs every write, the replicated cluster every second; both include the generated users', async () => {
    const sync = {
      'deploy/compose/nats/nats.conf': 'always',
      'deploy/k8s/base/nats/nats.conf': '1s',
    };
    for (const [file, interval] of Object.entries(sync)) {
      const text = await readFile(join(repo, file), 'utf8');
      expect(text, file).toMatch(new RegExp(`^\\s*sync_interval: ${interval}$`, 'm'));
      expect(text, file).toMatch(/^include \.\/auth\/auth\.conf$/m);
    }
  });

  it('a real server with the generated TLS block serves a client that trusts its CA, and no other', async () => {
    const server = await startTestNatsServer({ extraConfig: auth });
    try {
      const seed = join(dir, 'nkeys', 'services', 'ingest.nk');
      const nc = await connectWithBackoff({
        servers: server.url,
        name: 'tls test',
        log: quiet,
        credentials: { nkeySeedFile: seed, tlsCaFile: tls.ca },
        signal: AbortSignal.timeout(10_000),
      });
      expect(nc.info?.tls_required).toBe(true);
      await nc.close();
      await expect(
        connectWithBackoff({
          servers: server.url,
          name: 'tls test',
          log: quiet,
          credentials: { nkeySeedFile: seed },
          transport: { reconnect: false },
          signal: AbortSignal.timeout(1_500),
        }),
      ).rejects.toThrow();
    } finally {
      await server.dispose();
    }
  });

  it('nats-server refuses a configuration that is broken, so the checks above can fail', async () => {
    const broken = auth.replace('authorization {', 'authorization {{');
    await expect(check('deploy/compose/nats/nats.conf', {}, broken)).rejects.toThrow(/nats-server/);
  });
});
