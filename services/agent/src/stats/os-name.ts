import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (!quoted) return value;
  return (quoted[2] ?? '').replace(/\\(["'$`\\])/g, '$1');
}

/** Parses an os-release file: `PRETTY_NAME`, else `NAME VERSION`, else `NAME`; undefined when none is set. */
export function parseOsName(text: string): string | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) fields.set(match[1], unquote(match[2]));
  }
  const pretty = fields.get('PRETTY_NAME');
  if (pretty) return pretty;
  const name = fields.get('NAME');
  const version = fields.get('VERSION');
  if (name && version) return `${name} ${version}`;
  return name || undefined;
}

/**
 * Reads the distribution's name from `<rootPath>/etc/os-release`, else `<rootPath>/usr/lib/os-release`. Read
 * synchronously, like the procfs files: a file of a few hundred bytes that every sample reads stays in the page cache,
 * and a read through the thread pool cost ten times the CPU of the agent's main thread (measured: 130 µs against 9).
 */
export async function readOsName(rootPath: string): Promise<string | undefined> {
  for (const path of [join(rootPath, 'etc', 'os-release'), join(rootPath, 'usr', 'lib', 'os-release')]) {
    try {
      return parseOsName(readFileSync(path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return undefined;
}
