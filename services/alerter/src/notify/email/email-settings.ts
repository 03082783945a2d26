/**
 * How the alerter reaches its SMTP server, and how long it waits in each phase of a send.
 *
 * The timeouts follow RFC 5321 section 4.5.3.2: until the final dot of the message is written the
 * server cannot have accepted the mail, so giving up is always safe to retry and should happen
 * soon; after it, the server may have accepted the mail already, so the client waits long for the
 * reply instead of sending it a second time.
 */
export interface EmailSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); false uses STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** The From address of every mail. */
  readonly from: string;
  /** Longest wait for the connection (and TLS), and then again for the 220 greeting. */
  readonly connectTimeoutMs: number;
  /** Longest time from the start of an attempt until the whole message, final dot included, is handed over. */
  readonly handoverTimeoutMs: number;
  /** Longest wait for the server's reply after the final dot (RFC 5321: 10 minutes). */
  readonly finalReplyTimeoutMs: number;
}

/** The longest one attempt can take under `settings`: what a claim on a mail must outlast. */
export function longestAttemptMs(settings: EmailSettings): number {
  return settings.handoverTimeoutMs + settings.finalReplyTimeoutMs;
}
