import type { JsMsg } from '@nats-io/jetstream';
import { ENVELOPE_HEADERS } from '@hostwatch/envelope';
import type { PipelineMessage } from './batch-pipeline.js';
import { NO_ENVELOPE_HEADERS, envelopeHeadersOf, type EnvelopeHeaderValues } from './envelope-header-block.js';

/** The part of a NATS connection an acknowledgement needs. */
export interface AckPublisher {
  publish(subject: string, payload: Uint8Array): void;
}

// JetStream's acknowledgements, published to the message's reply subject: the same bytes
// `JsMsg.ack()`, `nak(delay)` and `term(reason)` of @nats-io/jetstream publish (its jsmsg.js;
// nats-architecture-and-design ADR-15), which does not export them.
const ACK = new TextEncoder().encode('+ACK');
const NAK = new TextEncoder().encode('-NAK');

/**
 * The bytes of a message's header block, null when it has none, or undefined when the message is
 * not laid out as @nats-io/jetstream 3 lays it out (its JsMsgImpl keeps the core message as `msg`,
 * which keeps headers and payload as `_rdata` and the length of the headers as `_msg.hdr`).
 */
export function headerBlockOf(msg: JsMsg): Uint8Array | null | undefined {
  const core = (msg as unknown as { readonly msg?: { readonly _rdata?: unknown; readonly _msg?: { readonly hdr?: unknown } } }).msg;
  const bytes = core?._rdata;
  const length = core?._msg?.hdr;
  if (!(bytes instanceof Uint8Array) || typeof length !== 'number') return undefined;
  return length > 0 ? bytes.subarray(0, length) : null;
}

// Through the public API when the block cannot be read: nats.js throws on a header line it finds
// invalid, which then counts as no headers (the message is refused as malformed).
function decodedHeadersOf(msg: JsMsg): EnvelopeHeaderValues {
  try {
    const h = msg.headers;
    if (!h) return NO_ENVELOPE_HEADERS;
    return {
      [ENVELOPE_HEADERS.messageId]: h.get(ENVELOPE_HEADERS.messageId),
      [ENVELOPE_HEADERS.hostId]: h.get(ENVELOPE_HEADERS.hostId),
      [ENVELOPE_HEADERS.hostKeyId]: h.get(ENVELOPE_HEADERS.hostKeyId),
      [ENVELOPE_HEADERS.collectorKeyId]: h.get(ENVELOPE_HEADERS.collectorKeyId),
    };
  } catch {
    return NO_ENVELOPE_HEADERS;
  }
}

/**
 * A JetStream message reduced, as it arrives, to what opening and acknowledging it need: the
 * sealed bytes, the subject, the four envelope headers (read from the header block in place,
 * {@link envelopeHeadersOf}) and the reply subject its acknowledgement goes to. The `JsMsg` is
 * let go at once: a message waits a batch or two to be opened and its transaction to commit, long
 * enough for what it holds to be copied by the young generation's collector and then promoted.
 */
export class ReceivedMessage implements PipelineMessage {
  readonly data: Uint8Array;
  readonly subject: string;
  readonly headers: EnvelopeHeaderValues;
  // The reply subject acknowledgements are published to; the JsMsg itself only if it has none to read.
  readonly #ackTo: string | JsMsg;
  readonly #nc: AckPublisher;

  constructor(msg: JsMsg, nc: AckPublisher) {
    this.data = msg.data;
    this.subject = msg.subject;
    const block = headerBlockOf(msg);
    this.headers = block === undefined ? decodedHeadersOf(msg) : block === null ? NO_ENVELOPE_HEADERS : envelopeHeadersOf(block);
    // JsMsg's implementation has the reply subject, its type does not name it.
    const reply = (msg as { readonly reply?: unknown }).reply;
    this.#ackTo = typeof reply === 'string' && reply.length > 0 ? reply : msg;
    this.#nc = nc;
  }

  /** Acknowledges the message: it was recorded. */
  ack(): void {
    if (typeof this.#ackTo === 'string') this.#nc.publish(this.#ackTo, ACK);
    else this.#ackTo.ack();
  }

  /** Asks for a redelivery, after `delayMs` when given. */
  nak(delayMs?: number): void {
    if (typeof this.#ackTo !== 'string') this.#ackTo.nak(delayMs);
    else this.#nc.publish(this.#ackTo, delayMs ? new TextEncoder().encode(`-NAK ${JSON.stringify({ delay: delayMs * 1_000_000 })}`) : NAK);
  }

  /** Ends the message's deliveries: it can never be used; `reason` shows in the server's advisory. */
  term(reason?: string): void {
    if (typeof this.#ackTo !== 'string') this.#ackTo.term(reason);
    else this.#nc.publish(this.#ackTo, new TextEncoder().encode(reason ? `+TERM ${reason}` : '+TERM'));
  }
}
