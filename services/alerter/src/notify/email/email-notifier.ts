import nodemailer from 'nodemailer';
import type { EmailSettings } from './email-settings.js';
import { SendError } from './send-error.js';

/** One plain-text mail, with the Message-ID it must carry. */
export interface OutgoingMail {
  readonly messageId: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** Sends plain-text mail over SMTP with nodemailer, with explicit timeouts, and says whether a failure is permanent. */
export class EmailNotifier {
  readonly #transport: nodemailer.Transporter;
  readonly #from: string;

  constructor(settings: EmailSettings) {
    this.#from = settings.from;
    this.#transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  /** Sends `mail`; rejects with {@link SendError}. */
  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.#transport.sendMail({
        from: this.#from,
        to: [...mail.to],
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      const responseCode = typeof code === 'number' ? code : undefined;
      const permanent = responseCode !== undefined && responseCode >= 500 && responseCode < 600;
      throw new SendError(`SMTP: ${(err as Error).message}`, permanent, responseCode, { cause: err });
    }
  }

  /** Closes pooled connections. */
  close(): void {
    this.#transport.close();
  }
}
