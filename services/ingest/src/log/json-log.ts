import type { IngestLog } from './ingest-log.js';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Field names whose values are never written. */
const SECRET = /token|secret|password|private/i;

function plain(value: unknown, key = ''): unknown {
  if (SECRET.test(key)) return '[redacted]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { type: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  return value;
}

/**
 * A pino-compatible JSON-lines logger on stderr (level, time, fields, msg), with secret-looking
 * fields redacted; stands in until the shared `@hostwatch/log` is wired.
 */
export function createJsonLog(level: keyof typeof LEVELS, base: object, out: NodeJS.WritableStream = process.stderr): IngestLog {
  const min = LEVELS[level];
  const write = (lvl: keyof typeof LEVELS, fields: object, msg: string): void => {
    if (LEVELS[lvl] < min) return;
    const record: Record<string, unknown> = { level: LEVELS[lvl], time: Date.now(), ...base };
    for (const [k, v] of Object.entries(fields)) record[k] = plain(v, k);
    record['msg'] = msg;
    out.write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (f, m) => write('debug', f, m),
    info: (f, m) => write('info', f, m),
    warn: (f, m) => write('warn', f, m),
    error: (f, m) => write('error', f, m),
    child: (fields) => createJsonLog(level, { ...base, ...fields }, out),
  };
}
