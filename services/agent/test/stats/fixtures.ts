import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture tree or file under `test/fixtures/`. */
export function fixture(...parts: string[]): string {
  return fileURLToPath(new URL(`../fixtures/${parts.join('/')}`, import.meta.url));
}

/** The text of a fixture file. */
export function fixtureText(...parts: string[]): Promise<string> {
  return readFile(fixture(...parts), 'utf8');
}
