import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { EventMessageV1 } from './schemas/event.js';
import { SshMessageV1 } from './schemas/ssh.js';
import { StatsMessageV1 } from './schemas/stats.js';
import type { MessageKind } from './subjects.js';

/** Any message a host publishes, in its current version. */
export type HostMessage = StatsMessageV1 | SshMessageV1 | EventMessageV1;

/** The schema of each kind, by version: the single source of validation, types and docs. */
export const MESSAGE_SCHEMAS: { readonly [K in MessageKind]: { readonly [version: number]: TSchema } } = {
  stats: { 1: StatsMessageV1 },
  ssh: { 1: SshMessageV1 },
  event: { 1: EventMessageV1 },
};

const compiled = new Map<TSchema, TypeCheck<TSchema>>();

function checker(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/** Result of {@link validateMessage}: the message, or every problem found (path and reason). */
export type ValidationResult =
  | { readonly ok: true; readonly message: HostMessage }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Checks that `value` is a message of `kind` from `hostId` in a version this build understands.
 * Lists up to ten problems, each with the JSON path it concerns.
 */
export function validateMessage(kind: MessageKind, hostId: string, value: unknown): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: ['message is not a JSON object'] };
  }
  const record = value as Record<string, unknown>;
  const version = record['v'];
  const schema = typeof version === 'number' ? MESSAGE_SCHEMAS[kind][version] : undefined;
  if (!schema) {
    const known = Object.keys(MESSAGE_SCHEMAS[kind]).join(', ');
    return { ok: false, problems: [`/v: version ${JSON.stringify(version)} of ${kind} is not known (known: ${known})`] };
  }
  const check = checker(schema);
  if (!check.Check(value)) {
    const problems: string[] = [];
    for (const error of check.Errors(value)) {
      problems.push(`${error.path || '/'}: ${error.message}`);
      if (problems.length === 10) break;
    }
    return { ok: false, problems };
  }
  if (record['kind'] !== kind) return { ok: false, problems: [`/kind: ${String(record['kind'])} sent on a ${kind} subject`] };
  if (record['hostId'] !== hostId) {
    return { ok: false, problems: [`/hostId: ${String(record['hostId'])} does not match the subject's host ${hostId}`] };
  }
  return { ok: true, message: value as HostMessage };
}
