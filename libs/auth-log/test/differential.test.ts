import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuthLogScanner, type AuthEvent } from '../src/index.js';

// The parser against the events a known-good build of it read from the same corpus (fixtures/differential.log:
// every message kind, its variants, cuts and mutations, and runs of whole connections; see fixtures/README.md). A
// change that alters any event, or the drift counters, fails here; a deliberate one regenerates the expected file.

const OPTIONS = { now: Date.parse('2026-11-24T00:00:00Z'), timeZone: 'UTC' } as const;
const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

const text = fixture('differential.log');
const lines = text.slice(0, -1).split('\n');
const [keysLine = '', ...expectedLines] = fixture('differential.expected.ndjson').trimEnd().split('\n');
const keys = JSON.parse(keysLine) as string[];
const counters = expectedLines.pop() ?? '';
const expected = expectedLines.map((line) => JSON.parse(line) as unknown[]);

// An event as the expected file holds it: its fields' values in the order of its keys, undefined as null.
function values(event: AuthEvent): unknown[] {
  expect(Object.keys(event)).toEqual(keys);
  return Object.values(event).map((v) => (v === undefined ? null : v));
}

function countersOf(scanner: AuthLogScanner): unknown {
  return { unparsed: scanner.unparsed, sshdLines: scanner.sshdLines, samples: scanner.unparsedSamples };
}

describe('the corpus reads as the known-good build read it', () => {
  it('line by line', () => {
    expect(lines.length).toBeGreaterThan(5000);
    const scanner = new AuthLogScanner(OPTIONS);
    const actual: unknown[][] = [];
    lines.forEach((line, i) => {
      const event = scanner.scan(line, i + 1);
      if (event !== undefined) actual.push(values(event));
    });
    // Compared a line at a time first: a difference then names its line.
    for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
      expect(actual[i], lines[(expected[i]?.[0] as number) - 1]).toEqual(expected[i]);
    }
    expect(actual.length).toBe(expected.length);
    expect(countersOf(scanner)).toEqual(JSON.parse(counters));
  });

  it('in place, each line by its bounds in the whole text (as hostwatch auth-scan reads)', () => {
    const scanner = new AuthLogScanner(OPTIONS);
    const actual: unknown[][] = [];
    let start = 0;
    lines.forEach((line, i) => {
      const event = scanner.scan(text, i + 1, start, start + line.length);
      if (event !== undefined) actual.push(values(event));
      start += line.length + 1;
    });
    expect(actual).toEqual(expected);
    expect(countersOf(scanner)).toEqual(JSON.parse(counters));
  });
});
