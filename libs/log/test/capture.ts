import type { DestinationStream } from '../src/index.js';

/** A destination that keeps each JSON line the logger writes, parsed. */
export interface Capture extends DestinationStream {
  readonly records: Record<string, unknown>[];
  readonly lines: string[];
}

/** Collects what a logger writes, as the JSON records a log shipper would see. */
export function capture(): Capture {
  const records: Record<string, unknown>[] = [];
  const lines: string[] = [];
  return {
    records,
    lines,
    write(line: string) {
      lines.push(line);
      records.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
}
