import type { JsMsg } from '@nats-io/jetstream';
import { ENVELOPE_HEADERS } from '@hostwatch/envelope';
import type { PipelineMessage } from './batch-pipeline.js';

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
 * A JetStream message reduced, as it arrives, to what opening and acknowledging it need: the
 * sealed bytes, the subject, the four envelope headers and the reply subject its acknowledgement
 * goes to. The `JsMsg` is let go at once: it keeps its decoded headers (a map, arrays and strings,
 * about 1 KB) for as long as it lives, and a message waits a batch or two to be opened and its
 * transaction to commit, long enough for all of that to be copied by the young generation's
 * collector and then promoted, which cost the stream worker more than opening the message.
 */
export class ReceivedMessage implements PipelineMessage {
  readonly data: Uint8Array;
  readonly subject: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  // The reply subject acknowledgements are published to; the JsMsg itself only if it has none to read.
  readonly #ackTo: string | JsMsg;
  readonly #nc: AckPublisher;

  constructor(msg: JsMsg, nc: AckPublisher) {
    const h = msg.headers;
    this.data = msg.data;
    this.subject = msg.subject;
    this.headers = {
      [ENVELOPE_HEADERS.messageId]: h?.get(ENVELOPE_HEADERS.messageId),
      [ENVELOPE_HEADERS.hostId]: h?.get(ENVELOPE_HEADERS.hostId),
      [ENVELOPE_HEADERS.hostKeyId]: h?.get(ENVELOPE_HEADERS.hostKeyId),
      [ENVELOPE_HEADERS.collectorKeyId]: h?.get(ENVELOPE_HEADERS.collectorKeyId),
    };
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
