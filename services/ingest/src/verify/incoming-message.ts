/** A message as the consumer received it, before anything is trusted. */
export interface IncomingMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Every header, first value of each. */
  readonly headers: Readonly<Record<string, string>>;
  /** Its sequence in the stream: the quarantine's idempotency key. */
  readonly streamSeq: number;
  /** How many times it has been delivered, this time included. */
  readonly deliveries: number;
}
