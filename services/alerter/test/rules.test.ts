import { readFile, readdir, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RulesError, parseRules, readRules } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');

async function problemsOf(name: string): Promise<string[]> {
  const path = join(fixtures, 'bad', name);
  try {
    await readRules(path);
  } catch (err) {
    expect(err).toBeInstanceOf(RulesError);
    return (err as RulesError).message.split('\n').map((line) => line.replace(path, name));
  }
  throw new Error(`${name} was accepted`);
}

describe('rules file', () => {
  it('accepts the original format verbatim', async () => {
    const { rules, warnings } = await readRules(join(fixtures, 'good', 'original.xml'));
    expect(rules.clients).toHaveLength(1);
    const [client] = rules.clients;
    expect(client?.ip).toBe('127.0.0.1');
    expect(client?.mail).toEqual(['asa@asda.com']);
    expect(client?.alerts.map((a) => [a.type, a.limit, a.clear])).toEqual([
      ['memory', 50, 45],
      ['cpu', 20, 15],
    ]);
    expect(warnings.map((w) => `${w.line}:${w.column}`)).toEqual(['2:52']);
    expect(warnings[0]?.message).toMatch(/password .* never uses it/);
  });

  it('accepts every good fixture', async () => {
    for (const name of await readdir(join(fixtures, 'good'))) {
      await expect(readRules(join(fixtures, 'good', name)), name).resolves.toBeDefined();
    }
  });

  it('reads every extension', async () => {
    const { rules } = await readRules(join(fixtures, 'good', 'extended.xml'));
    const [web, db] = rules.clients;
    expect(web?.mail).toEqual(['web-ops@example.com', 'oncall@example.com']);
    const byKey = new Map(web?.alerts.map((a) => [a.key, a]));
    expect(byKey.get('client:ip:10.0.0.5/memory')).toMatchObject({ limit: 90, clear: 80, forMs: 120_000, repeatMs: 3_600_000 });
    expect(byKey.get('client:ip:10.0.0.5/disk:/var')).toMatchObject({ mount: '/var', limit: 80 });
    expect(byKey.get('client:ip:10.0.0.5/disk:*')).toMatchObject({ mount: undefined, clear: 85 });
    expect(byKey.get('client:ip:10.0.0.5/load:5m')).toMatchObject({ limit: 2, clear: 1.8, average: 5, forMs: 600_000 });
    expect(byKey.get('client:ip:10.0.0.5/offline')).toMatchObject({ limit: 300_000, repeatMs: 7_200_000 });
    expect(byKey.get('client:ip:10.0.0.5/ssh-failures:source')).toMatchObject({ limit: 5, windowMs: 600_000, per: 'source' });
    expect(byKey.get('client:ip:10.0.0.5/login-after-failures')).toMatchObject({ limit: 3, windowMs: 3_600_000 });
    expect(web?.silences[0]).toMatchObject({ types: ['cpu', 'load'], comment: 'backup night', from: Date.parse('2026-12-24T22:00:00Z') });
    expect(db?.host).toBe('db-01');
    expect(rules.fleet?.alerts[0]).toMatchObject({ type: 'brute-force', limit: 3, windowMs: 900_000 });
  });

  it('names line, column and the fix for an unknown attribute', async () => {
    expect(await problemsOf('unknown-attribute.xml')).toEqual([
      'unknown-attribute.xml:3:26: unknown attribute limt on <alert>; did you mean limit?',
      'unknown-attribute.xml:3:5: <alert type="memory"> needs a limit; write limit="90%"',
    ].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  });

  it('refuses a bad limit, a duplicate client and an unknown element', async () => {
    expect(await problemsOf('bad-limit.xml')).toEqual([
      'bad-limit.xml:3:23: limit="high" is not a percentage; write a number from 0 to 100 followed by %, such as limit="90%"',
    ]);
    expect(await problemsOf('duplicate-client.xml')).toEqual([
      'duplicate-client.xml:5:3: duplicate client ip:10.0.0.1 (the first is at line 2); merge their <alert> elements into one <client>',
    ]);
    expect(await problemsOf('unknown-element.xml')).toEqual([
      'unknown-element.xml:3:5: unknown element <alarm> in <client>; did you mean alert?',
    ]);
  });

  it('refuses DOCTYPE and entity declarations before parsing', async () => {
    expect(await problemsOf('doctype.xml')).toEqual([
      'doctype.xml:2:1: <!DOCTYPE> is not accepted in a rules file (entities could expand or read files); remove it and write values out',
    ]);
  });

  it('names every typographic quote of the original README example and the straight-quoted fix', async () => {
    const problems = await problemsOf('typographic-quotes.xml');
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(
      'typographic-quotes.xml:1:9: attribute ip is quoted with typographic quotes ’…’ (as a word processor or web page writes them); XML needs straight quotes: write ip="127.0.0.1"',
    );
    expect(problems[3]).toMatch(/^typographic-quotes.xml:1:\d+: attribute password .* write password="password"$/);
  });

  it('reports a syntax error with its position', async () => {
    const [problem] = await problemsOf('not-well-formed.xml');
    expect(problem).toMatch(/^not-well-formed.xml:4:\d+: Expected closing tag 'alert'/);
  });

  it('lists every problem of a file at once', async () => {
    const problems = await problemsOf('many-problems.xml');
    expect(problems.map((p) => p.split(': ')[0])).toEqual([
      'many-problems.xml:2:11',
      'many-problems.xml:2:27',
      'many-problems.xml:3:12',
      'many-problems.xml:4:36',
      'many-problems.xml:5:42',
      'many-problems.xml:6:42',
    ]);
    expect(problems.join('\n')).toMatch(/memroy.*did you mean memory/);
    expect(problems.join('\n')).toMatch(/window="ten minutes" is not a duration/);
  });

  it('refuses a file over the size cap without reading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    const path = join(dir, 'big.xml');
    await writeFile(path, `<clients>${' '.repeat(2048)}</clients>`);
    await expect(readRules(path, { maxBytes: 1024 })).rejects.toThrow(/at most 1024 are accepted/);
    expect(() => parseRules(`<clients>${' '.repeat(2048)}</clients>`, { maxBytes: 1024 })).toThrow(RulesError);
  });

  it('warns about a silence that already ended', async () => {
    const text = await readFile(join(fixtures, 'good', 'extended.xml'), 'utf8');
    const { warnings } = parseRules(text, { now: Date.parse('2027-01-01T00:00:00Z') });
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/ended on 2026-12-25T06:00:00.000Z/)]);
  });
});
