import type { HostMessage } from '@hostwatch/contract';
import type { HostMessageItem } from '../evaluate/evaluator.js';
import type { SampledStats } from '../evaluate/stats-observations.js';
import { positionalSample, ruleSampleOf, type PositionalSample } from '../evaluate/waiting-samples.js';

// A stats item as its event time and positional sample; any other message whole (ssh and security
// events are few, and the evaluator reads all of them).
type Encoded = [hostId: string, messageId: string, time: number, sample: PositionalSample] | [hostId: string, messageId: string, message: HostMessage];

/**
 * The text that carries opened messages from the thread that opens them to the one that evaluates
 * them: one JSON array, stats samples in the positional form they are stored in. Copying one string
 * between threads and parsing it costs the receiving thread about a third of what the structured
 * clone of the same objects costs (measured: 1.5 against 4.3 µs a stats message).
 */
export function encodeOpenedItems(items: readonly HostMessageItem[]): string {
  const rows: Encoded[] = [];
  for (const { hostId, messageId, message } of items) {
    if (message.kind === 'stats' && 'sample' in message) rows.push([hostId, messageId, message.time, positionalSample(message.sample)]);
    else rows.push([hostId, messageId, message as HostMessage]);
  }
  return JSON.stringify(rows);
}

/** The items of a text made by {@link encodeOpenedItems}, in the same order; stats as {@link SampledStats}. */
export function decodeOpenedItems(text: string): HostMessageItem[] {
  const rows = JSON.parse(text) as Encoded[];
  const items: HostMessageItem[] = [];
  for (const row of rows) {
    if (row.length === 4) {
      const message: SampledStats = { kind: 'stats', time: row[2], sample: ruleSampleOf(row[3]) };
      items.push({ hostId: row[0], messageId: row[1], message });
    } else {
      items.push({ hostId: row[0], messageId: row[1], message: row[2] });
    }
  }
  return items;
}
