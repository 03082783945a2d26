import { Buffer } from 'node:buffer';
import { validateMessage } from '@hostwatch/contract';
import { EnvelopeError, type HeaderSource, type Opener } from '@hostwatch/envelope';
import type { HostMessageItem } from '../evaluate/evaluator.js';
import { sampledStats } from '../evaluate/stats-observations.js';

/** A message as it came off the stream: sealed bytes, envelope headers, subject. */
export interface SealedStreamMessage {
  readonly data: Uint8Array;
  readonly headers: HeaderSource | undefined;
  readonly subject: string;
}

/** A message of the batch that can never be used (forged, tampered, unknown key, invalid body). */
export interface RefusedMessage {
  readonly index: number;
  /** The message kind when it opened, else `unknown`. */
  readonly kind: string;
  readonly reason: string;
  readonly messageId?: string;
  readonly problems?: readonly string[];
  readonly err?: unknown;
}

/** What became of each message of a batch, by its index in the batch. */
export interface OpenedBatch {
  /** The messages that opened and validated, in batch order. */
  readonly items: HostMessageItem[];
  /** The batch index of each of `items`. */
  readonly itemIndexes: number[];
  readonly refused: RefusedMessage[];
  /** Messages that could not be opened now (the key registry failed): worth a redelivery. */
  readonly failed: { readonly index: number; readonly err: unknown }[];
}

/** Options of {@link openBatch}. */
export interface OpenBatchOptions {
  /**
   * Return to the event loop after every this many messages (0: never). With cached keys opening
   * never waits on I/O, so without it a batch opens as one unbroken chain of microtasks, and
   * whatever else runs in the process (another batch's database replies) waits for all of it.
   */
  readonly yieldEvery?: number;
}

const EMPTY_HEADERS: HeaderSource = {};

/**
 * Opens and validates a batch: each message is decrypted and authenticated by `opener`, parsed as
 * JSON and checked against its kind's schema; a stats message is kept as its {@link sampledStats}. Pure CPU apart from key lookups, so a consumer can
 * run it for the next batch while the previous one is being recorded (then with `yieldEvery`).
 */
export async function openBatch(messages: readonly SealedStreamMessage[], opener: Opener, options: OpenBatchOptions = {}): Promise<OpenedBatch> {
  const batch: OpenedBatch = { items: [], itemIndexes: [], refused: [], failed: [] };
  const slice = options.yieldEvery ?? 0;
  for (let index = 0; index < messages.length; index++) {
    if (slice > 0 && index > 0 && index % slice === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const msg = messages[index]!;
    try {
      const opened = await opener.open(msg.data, msg.headers ?? EMPTY_HEADERS, msg.subject);
      const body = opened.body;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
      } catch {
        value = undefined;
      }
      const result = validateMessage(opened.kind, opened.hostId, value);
      if (!result.ok) {
        batch.refused.push({ index, kind: opened.kind, reason: 'invalid message', messageId: opened.messageId, problems: result.problems });
        continue;
      }
      const message = result.message.kind === 'stats' ? sampledStats(result.message) : result.message;
      batch.items.push({ hostId: opened.hostId, messageId: opened.messageId, message });
      batch.itemIndexes.push(index);
    } catch (err) {
      if (err instanceof EnvelopeError) batch.refused.push({ index, kind: 'unknown', reason: err.reason, err });
      else batch.failed.push({ index, err });
    }
  }
  return batch;
}
