import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What a module loads when it runs: every `import … from` and `export … from` but `import type` and `export type`,
// which TypeScript erases (verbatimModuleSyntax keeps every other import).
function runtimeImports(file: URL): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(
    /^(import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gms,
  )) {
    found.push(m[2] ?? m[3]!);
  }
  return found;
}

// Every package a source file loads, following the package's own files.
function packagesLoaded(entry: URL): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: URL): void => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) visit(new URL(spec.replace(/\.js$/, '.ts'), file));
      else packages.add(spec);
    }
  };
  visit(entry);
  return packages;
}

describe('what each entry loads', () => {
  it('the light entry loads no schema library: an agent that only sends does not pay for TypeBox', () => {
    expect([...packagesLoaded(new URL('../src/light.ts', import.meta.url))]).toEqual([]);
  });

  it('the main entry is where TypeBox comes in', () => {
    expect([...packagesLoaded(new URL('../src/index.ts', import.meta.url))]).toContain('@sinclair/typebox');
  });
});

describe('the light entry', () => {
  it('hands out the same values as the main entry, for every name it has', async () => {
    const light: Record<string, unknown> = await import('../src/light.js');
    const main: Record<string, unknown> = await import('../src/index.js');
    expect(Object.keys(light).length).toBeGreaterThan(15);
    for (const [name, value] of Object.entries(light)) expect(main[name], name).toBe(value);
  });
});
