import type { Kysely, Transaction } from 'kysely';
import type { Database } from '@hostwatch/db';

/** A mail to put in the outbox. */
export interface QueuedMail {
  readonly messageId: string;
  readonly kind: 'alert' | 'security';
  readonly recipients: readonly string[];
  readonly subject: string;
  readonly body: string;
  /** When it was queued, by the caller's clock (default: the database's now); it is due from then. */
  readonly at?: number;
}

/**
 * Writes `mail` into the outbox inside the caller's transaction, so it exists exactly when the
 * state change that caused it committed; a mail with the same Message-ID already queued is kept as
 * it is. Resolves to whether a row was added.
 */
export async function enqueueMail(db: Transaction<Database> | Kysely<Database>, mail: QueuedMail): Promise<boolean> {
  const inserted = await db
    .insertInto('alerter_outbox')
    .values({
      message_id: mail.messageId,
      kind: mail.kind,
      recipients: [...mail.recipients],
      subject: mail.subject,
      body: mail.body,
      ...(mail.at === undefined ? {} : { created_at: new Date(mail.at), next_attempt_at: new Date(mail.at) }),
    })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
