import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo, run } from './deploy-paths.js';

interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly lines: string[];
}

function stages(dockerfile: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const found: Stage[] = [];
  const logical = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim());
  for (const line of logical) {
    if (line === '' || line.startsWith('#')) continue;
    const arg = /^ARG (\w+)=(\S+)$/.exec(line);
    if (arg && found.length === 0) args[arg[1]!] = arg[2]!;
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) found.push({ from: from[1]!, name: from[2], lines: [] });
    else found.at(-1)?.lines.push(line);
  }
  return { args, stages: found };
}

let dir: string;
let dockerfile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-docker-'));
  dockerfile = await readFile(join(repo, 'Dockerfile'), 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Problems of a Dockerfile, as the Dockerfile language service (dockerfile-utils) reports them. */
function lint(text: string): string[] {
  return validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

describe('Dockerfile', () => {
  it('parses with no problem, and a broken one does not, so the check can fail', () => {
    expect(lint(dockerfile)).toEqual([]);
    const broken = dockerfile.replace('FROM ${NODE_IMAGE} AS runtime', 'FORM ${NODE_IMAGE} AS runtime');
    expect(lint(broken).join('\n')).toMatch(/Unknown instruction: FORM/);
  });

  it('builds in stages from a slim Node LTS image and runs as a user that is not root', () => {
    const { args, stages: all } = stages(dockerfile);
    expect(args['NODE_IMAGE']).toMatch(/^node:(2[02468]|[3-9][02468])-(bookworm|trixie)-slim$/);
    expect(all.map((s) => s.name)).toEqual(['prune', 'build', 'runtime']);
    for (const s of all) expect(s.from).toBe('${NODE_IMAGE}');
    const runtime = all.at(-1)!;
    expect(runtime.lines).toContain('USER node');
    expect(runtime.lines.some((l) => l.startsWith('COPY --from=build'))).toBe(true);
    expect(runtime.lines.some((l) => /^RUN .*npm (ci|install)/.test(l))).toBe(false);
    const build = all[1]!;
    expect(build.lines.join('\n')).toMatch(/npm prune --omit=dev/);
  });

  it('prunes the workspace to what the hostwatch command needs, as the prune stage does', async () => {
    const out = join(dir, 'pruned');
    await run(
      join(repo, 'node_modules', '.bin', 'turbo'),
      ['prune', 'hostwatch', '--docker', '--out-dir', out],
      {
        env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
      },
    );
    const manifest = JSON.parse(await readFile(join(repo, 'services', 'cli', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const libs = await readdir(join(out, 'json', 'libs'));
    const services = await readdir(join(out, 'json', 'services'));
    for (const dep of Object.keys(manifest.dependencies).filter((d) => d.startsWith('@hostwatch/'))) {
      const name = dep.slice('@hostwatch/'.length);
      expect([...libs, ...services], dep).toContain(name);
    }
    expect(services).toContain('cli');
    await expect(readFile(join(out, 'json', 'package-lock.json'), 'utf8')).resolves.toContain(
      '"services/cli"',
    );
  });

  it('keeps build output, installed modules, git and key files out of the build context', async () => {
    const ignore = (await readFile(join(repo, '.dockerignore'), 'utf8')).split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git', '.hostwatch', '**/*.key', '**/*.nk']) {
      expect(ignore).toContain(pattern);
    }
  });
});
