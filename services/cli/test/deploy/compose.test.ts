import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERTER_NODE_FLAGS } from '@hostwatch/alerter';
import { repo, run } from './deploy-paths.js';

// dclint validates a compose file against the compose specification's JSON schema, which it
// ships (schemas/compose.schema.json), offline, then applies its own rules.
const dclint = join(
  dirname(createRequire(import.meta.url).resolve('dclint/package.json')),
  'bin',
  'dclint.cjs',
);
const composeFile = join(repo, 'deploy', 'compose', 'compose.yaml');

interface LintMessage {
  readonly rule: string;
  readonly type: 'error' | 'warning';
  readonly message: string;
}

async function lint(file: string): Promise<LintMessage[]> {
  const { stdout } = await run(process.execPath, [dclint, '--formatter', 'json', file]).catch(
    (err: Error & { cause?: { stdout?: string } }) => ({ stdout: err.cause?.stdout ?? '[]' }),
  );
  const results = JSON.parse(stdout) as { messages: LintMessage[] }[];
  return results.flatMap((r) => r.messages);
}

interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: string[];
  readonly entrypoint?: string[];
  readonly healthcheck?: { test: string[] };
  readonly depends_on?: Record<string, { condition: string }>;
  readonly volumes?: string[];
  readonly environment?: Record<string, string>;
  readonly user?: string;
}

let dir: string;
let services: Record<string, ComposeService>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-compose-'));
  services = (
    parse(await readFile(composeFile, 'utf8'), { merge: true }) as {
      services: Record<string, ComposeService>;
    }
  ).services;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('deploy/compose/compose.yaml', () => {
  it('validates against the compose specification, with no lint errors', async () => {
    const errors = (await lint(composeFile)).filter((m) => m.type === 'error');
    expect(errors).toEqual([]);
  });

  it('a file that breaks the specification is refused, so the check above can fail', async () => {
    const broken = join(dir, 'compose.yaml');
    const text = await readFile(composeFile, 'utf8');
    await writeFile(broken, text.replace('condition: service_healthy', 'condition: when_it_feels_like_it'));
    expect((await lint(broken)).map((m) => m.rule)).toContain('invalid-schema');
  });

  it('runs nats, postgres, ingest, alerter, api, an agent and a mail catcher, each with a healthcheck', () => {
    for (const name of ['nats', 'postgres', 'ingest', 'alerter', 'api', 'agent', 'mail']) {
      expect(services[name], name).toBeDefined();
      expect(services[name]?.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
    for (const name of ['ingest', 'alerter', 'api', 'agent']) expect(services[name]?.command).toEqual([name]);
  });

  it("starts the alerter with its Node flags, through the image's entrypoint", async () => {
    const dockerfile = await readFile(join(repo, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1] ?? 'null') as string[];
    expect(entrypoint[0]).toBe('node');
    expect(services['alerter']?.entrypoint).toEqual([entrypoint[0], ...ALERTER_NODE_FLAGS, ...entrypoint.slice(1)]);
  });

  it('starts in order: postgres, bootstrap, nats, ingest, then the rest', () => {
    const after = (name: string): Record<string, string> =>
      Object.fromEntries(Object.entries(services[name]?.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
    expect(after('bootstrap')).toEqual({ postgres: 'service_healthy' });
    expect(after('nats')).toEqual({ bootstrap: 'service_completed_successfully' });
    expect(after('ingest')).toMatchObject({ nats: 'service_healthy', postgres: 'service_healthy' });
    for (const name of ['alerter', 'api', 'agent'])
      expect(after(name)).toMatchObject({ ingest: 'service_healthy' });
  });

  it("mounts nats's configuration, and gives the agent the host's /proc and /var/log read-only", () => {
    expect(services['nats']?.volumes).toContain('./nats/nats.conf:/etc/nats/nats.conf:ro');
    expect(services['agent']?.volumes).toEqual(
      expect.arrayContaining(['/proc:/host/proc:ro', '/var/log:/var/log:ro']),
    );
    expect(services['agent']?.environment?.['PROC_ROOT']).toBe('/host/proc');
  });

  it('gives every service its own NATS nkey', () => {
    const seeds = ['ingest', 'alerter', 'api', 'agent'].map(
      (n) => services[n]?.environment?.['NATS_NKEY_SEED_FILE'],
    );
    expect(new Set(seeds).size).toBe(4);
    for (const seed of seeds) expect(seed).toMatch(/\.nk$/);
  });
});
