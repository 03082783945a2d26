import { createHash } from 'node:crypto';

/**
 * The Message-ID of a mail, derived from what it is about, so every replica and every retry
 * writes the same id: a mail queued twice is one outbox row, and a mail sent twice after a crash
 * is recognisably the same mail.
 */
export function mailMessageId(...parts: readonly string[]): string {
  const digest = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40);
  return `<${digest}@alerter.hostwatch>`;
}
