const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'v']);

/**
 * Renders one line a service printed for the terminal of `hostwatch start`: pino JSON becomes
 * `time name LEVEL message key=value…`; anything else is shown as it is, behind the name.
 */
export function formatLogLine(name: string, line: string): string {
  const label = name.padEnd(8);
  if (!line.startsWith('{')) return `${label} ${line}`;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${label} ${line}`;
  }
  const time = typeof record['time'] === 'string' || typeof record['time'] === 'number' ? new Date(record['time']) : new Date();
  const clock = Number.isNaN(time.getTime()) ? '' : time.toISOString().slice(11, 19);
  const level = LEVELS[Number(record['level'])] ?? String(record['level'] ?? '').toUpperCase();
  const fields = Object.entries(record)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object' && 'message' in v) return `err=${JSON.stringify((v as { message: unknown }).message)}`;
      return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    });
  return [clock, label, level.padEnd(5), String(record['msg'] ?? ''), ...fields].filter(Boolean).join(' ');
}
