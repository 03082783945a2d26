import type { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { EmailSettings } from './email-settings.js';
import { SendError } from './send-error.js';

/** One plain-text mail, with the Message-ID it must carry. */
export interface OutgoingMail {
  readonly messageId: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/**
 * Sends plain-text mail over SMTP with nodemailer, one connection per mail, and says whether a
 * failure is permanent.
 *
 * Each phase has its own timeout (RFC 5321 section 4.5.3.2). nodemailer's transport has one
 * inactivity timer for every reply after the greeting, so the message is composed with
 * nodemailer's `MailComposer` and sent over its `SMTPConnection` directly: the connection and the
 * greeting are bounded by `connectTimeoutMs`; everything until the final dot is written by
 * `handoverTimeoutMs`, on a timer of its own that stops when the message stream has ended (before
 * that the server cannot have accepted the mail, so a retry is safe); the reply to the final dot
 * by `finalReplyTimeoutMs`, nodemailer's socket inactivity timeout, long because the server may
 * have accepted the mail and a retry would deliver it twice.
 */
export class EmailNotifier {
  readonly #settings: EmailSettings;
  readonly #open = new Set<SMTPConnection>();

  constructor(settings: EmailSettings) {
    this.#settings = settings;
  }

  /** Sends `mail`; rejects with {@link SendError}. */
  async send(mail: OutgoingMail): Promise<void> {
    const message = new MailComposer({
      from: this.#settings.from,
      to: [...mail.to],
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
      disableFileAccess: true,
      disableUrlAccess: true,
    }).compile();
    const envelope = message.getEnvelope();
    await this.#deliver({ from: envelope.from, to: envelope.to }, message.createReadStream());
  }

  #deliver(envelope: SMTPConnection.Envelope, message: Readable): Promise<void> {
    const s = this.#settings;
    const connection = new SMTPConnection({
      host: s.host,
      port: s.port,
      secure: s.secure,
      connectionTimeout: s.connectTimeoutMs,
      greetingTimeout: s.connectTimeoutMs,
      dnsTimeout: s.connectTimeoutMs,
      socketTimeout: s.finalReplyTimeoutMs,
    });
    this.#open.add(connection);
    return new Promise<void>((resolve, reject) => {
      let handedOver = false;
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(handover);
        this.#open.delete(connection);
        if (!err) {
          connection.quit();
          // A server that never answers QUIT must not keep the socket for the long reply timeout.
          setTimeout(() => connection.close(), s.connectTimeoutMs).unref();
          resolve();
          return;
        }
        connection.close();
        reject(sendError(err, handedOver, s));
      };
      const handover = setTimeout(() => {
        finish(Object.assign(new Error(`the message was not handed over within ${s.handoverTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, s.handoverTimeoutMs);
      message.once('end', () => {
        // The final dot follows the last byte at once: from here on only the reply is awaited.
        handedOver = true;
        clearTimeout(handover);
      });
      connection.on('error', (err) => finish(err));
      connection.once('end', () => finish(Object.assign(new Error('the connection closed before the server replied'), { code: 'ECONNECTION' })));
      connection.connect(() => {
        const send = (): void => connection.send(envelope, message, (err) => finish(err ?? undefined));
        if (s.user === undefined) return send();
        connection.login({ user: s.user, pass: s.password ?? '' }, (err) => (err ? finish(err) : send()));
      });
    });
  }

  /** Closes the connections of sends still under way; they fail as transient. */
  close(): void {
    for (const connection of this.#open) connection.close();
  }
}

function sendError(err: Error, afterHandover: boolean, s: EmailSettings): SendError {
  const { code, responseCode } = err as SMTPConnection.SMTPError;
  const permanent = responseCode !== undefined && responseCode >= 500 && responseCode < 600;
  let text = err.message;
  if (afterHandover && code === 'ETIMEDOUT') text = `no reply to the end of the message within ${s.finalReplyTimeoutMs} ms (the server may have accepted it)`;
  return new SendError(`SMTP${code ? ` ${code}` : ''}: ${text}`, permanent, responseCode, { cause: err, afterHandover });
}
