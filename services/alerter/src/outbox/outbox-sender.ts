import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@hostwatch/db';
import type { Clock } from '../clock.js';
import type { AlerterLog } from '../log.js';
import type { OutgoingMail } from '../notify/email/email-notifier.js';
import { SendError } from '../notify/email/send-error.js';
import type { AlerterMetrics } from '../ops/alerter-metrics.js';

/** Anything that sends one mail and rejects with {@link SendError}: the {@link EmailNotifier} in production. */
export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
}

/** Options of {@link OutboxSender}. */
export interface OutboxSenderOptions {
  readonly db: Kysely<Database>;
  readonly sender: MailSender;
  /** Names this replica in `claimed_by`. */
  readonly replica: string;
  readonly clock: Clock;
  readonly log: AlerterLog;
  readonly metrics?: AlerterMetrics;
  /** How long a claim lasts, renewed before each send; a replica that died holding rows releases them when it passes (default 2 min). Must outlast one send. */
  readonly leaseMs?: number;
  /** First and largest delay between attempts of a mail (defaults 5 s and 5 min). */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** A mail still failing transiently this long after it was queued is marked failed (default 24 h). */
  readonly giveUpAfterMs?: number;
  /** Rows claimed at once (default 20). */
  readonly batchSize?: number;
  /** How often the outbox is polled when idle (default 1 s). */
  readonly pollMs?: number;
}

interface ClaimedRow {
  id: string;
  message_id: string;
  recipients: string[];
  subject: string;
  body: string;
  attempts: number;
  created_at: Date;
}

/**
 * Sends the outbox: claims due rows with `FOR UPDATE SKIP LOCKED` under a lease, so replicas never
 * send the same row at once, sends each with its Message-ID, and records the outcome: sent;
 * retried with exponential backoff after a transient failure; failed after a permanent one (5xx)
 * or after retrying for too long.
 */
export class OutboxSender {
  readonly #o: Required<Omit<OutboxSenderOptions, 'metrics'>> & { metrics: AlerterMetrics | undefined };
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: AbortController | undefined;

  constructor(options: OutboxSenderOptions) {
    this.#o = {
      leaseMs: 120_000,
      retryMinMs: 5_000,
      retryMaxMs: 300_000,
      giveUpAfterMs: 24 * 3_600_000,
      batchSize: 20,
      pollMs: 1_000,
      ...options,
      metrics: options.metrics,
    };
  }

  /** Claims due rows and sends them; resolves to how many were attempted. */
  async sendDue(): Promise<number> {
    const { db, clock, replica, leaseMs, batchSize } = this.#o;
    const now = new Date(clock());
    const claimed = await sql<ClaimedRow>`
      UPDATE alerter_outbox
         SET claimed_until = ${new Date(now.getTime() + leaseMs)}, claimed_by = ${replica}, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM alerter_outbox
          WHERE status = 'pending' AND next_attempt_at <= ${now}
            AND (claimed_until IS NULL OR claimed_until <= ${now})
          ORDER BY next_attempt_at, id
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED)
      RETURNING id, message_id, recipients, subject, body, attempts, created_at`.execute(db);
    for (const row of claimed.rows) await this.#sendOne(row);
    return claimed.rows.length;
  }

  async #sendOne(row: ClaimedRow): Promise<void> {
    const { db, clock, replica, log, metrics, leaseMs } = this.#o;
    // `attempts` went up with this claim: a row claimed again since (our lease passed while earlier rows were sent) is no longer ours.
    const mine = (q: ReturnType<typeof db.updateTable<'alerter_outbox'>>) =>
      q.where('id', '=', row.id).where('claimed_by', '=', replica).where('attempts', '=', row.attempts).where('status', '=', 'pending');
    // The claim was taken for the whole batch; renew it for this row's send, or leave the row to whoever holds it now.
    const renewed = await mine(db.updateTable('alerter_outbox')).set({ claimed_until: new Date(clock() + leaseMs) }).returning('id').executeTakeFirst();
    if (!renewed) {
      log.warn({ messageId: row.message_id }, 'claim lost before sending; another replica has the mail');
      return;
    }
    try {
      await this.#o.sender.send({ messageId: row.message_id, to: row.recipients, subject: row.subject, text: row.body });
    } catch (err) {
      const error = err instanceof SendError ? err : new SendError((err as Error).message, false, undefined, { cause: err });
      metrics?.mailFailures.inc({ permanent: String(error.permanent) });
      const now = clock();
      const tooLong = now - row.created_at.getTime() >= this.#o.giveUpAfterMs;
      if (error.permanent || tooLong) {
        log.error({ err: error, messageId: row.message_id, recipients: row.recipients, attempts: row.attempts }, 'mail failed for good');
        await mine(db.updateTable('alerter_outbox'))
          .set({ status: 'failed', last_error: error.message, claimed_until: null })
          .execute();
        return;
      }
      const delay = Math.min(this.#o.retryMaxMs, this.#o.retryMinMs * 2 ** Math.max(0, row.attempts - 1));
      log.warn({ err: error, messageId: row.message_id, attempts: row.attempts, retryInMs: delay, afterHandover: error.afterHandover }, 'mail not sent yet; will retry');
      await mine(db.updateTable('alerter_outbox'))
        .set({ next_attempt_at: new Date(now + delay), last_error: error.message, claimed_until: null })
        .execute();
      return;
    }
    metrics?.mailsSent.inc();
    await mine(db.updateTable('alerter_outbox'))
      .set({ status: 'sent', sent_at: new Date(clock()), last_error: null, claimed_until: null })
      .execute();
  }

  /** Starts sending in the background until {@link stop}. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Asks the loop to look at the outbox now instead of at its next poll. */
  wake(): void {
    this.#wake?.abort();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let sent = 0;
      try {
        sent = await this.sendDue();
      } catch (err) {
        this.#o.log.warn({ err }, 'cannot read the outbox; retrying');
      }
      if (sent > 0 || !this.#running) continue;
      this.#wake = new AbortController();
      await sleep(this.#o.pollMs, undefined, { signal: this.#wake.signal }).catch(() => undefined);
    }
  }

  /** Stops after the mail being sent, if any. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
  }
}
