import { assertHostId, hostIdProblem } from './host-id.js';

/** First token of every hostwatch subject. */
export const SUBJECT_PREFIX = 'hostwatch';

/** The kinds of message a host publishes, the last token of its subjects. */
export const MESSAGE_KINDS = ['stats', 'ssh', 'event'] as const;

/** One of {@link MESSAGE_KINDS}. */
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** The subject a host publishes one kind of message on: `hostwatch.<hostId>.<kind>`. */
export function subjectFor(hostId: string, kind: MessageKind): string {
  return `${SUBJECT_PREFIX}.${assertHostId(hostId)}.${kind}`;
}

/** The wildcard subject covering every kind a host publishes: `hostwatch.<hostId>.>`. */
export function hostSubjects(hostId: string): string {
  return `${SUBJECT_PREFIX}.${assertHostId(hostId)}.>`;
}

/** Host id and kind named by a subject. */
export interface ParsedSubject {
  readonly hostId: string;
  readonly kind: MessageKind;
}

/** Splits a subject into host id and kind, or returns the reason it is not a hostwatch subject. */
export function parseSubject(subject: string): ParsedSubject | { readonly problem: string } {
  const parts = subject.split('.');
  if (parts.length !== 3 || parts[0] !== SUBJECT_PREFIX) {
    return { problem: `subject ${JSON.stringify(subject)} is not of the form ${SUBJECT_PREFIX}.<hostId>.<kind>` };
  }
  const [, hostId = '', kind = ''] = parts;
  const problem = hostIdProblem(hostId);
  if (problem) return { problem };
  if (!isMessageKind(kind)) {
    return { problem: `subject ${JSON.stringify(subject)} has kind ${JSON.stringify(kind)}; expected one of ${MESSAGE_KINDS.join(', ')}` };
  }
  return { hostId, kind };
}

/** Whether `value` names a message kind. */
export function isMessageKind(value: string): value is MessageKind {
  return (MESSAGE_KINDS as readonly string[]).includes(value);
}
