import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAscii } from 'node:buffer';
import { parseArgs } from 'node:util';
import { AUTH_LOG_FORMATS, AuthLogScanner, type AuthLogFormat, type SshdEvent } from '@hostwatch/auth-log';
import { UsageError, type Command, type CommandIo } from '../command.js';

const usage = `Usage: hostwatch auth-scan [FILE|-] [--format auto|syslog|journal] [--now ISO-8601]

Reads an auth log once (a file, or standard input for '-' or no FILE) and prints one JSON object per line
(NDJSON) for every sshd event it recognises, with the fields line, time, host, pid, event, source, user,
port, method and count.

Options:
  --format F   auto (default: a line starting with '{' is a journal record), syslog (classic, RFC 3339,
               RFC 5424), or journal ('journalctl -o json' records)
  --now T      ISO-8601 time that decides the year of syslog lines without one: the latest year that is
               not after T (default: now). Times without a zone are local, as set by TZ.
`;

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** `hostwatch auth-scan`: the sshd log scanner of the design's contract, as NDJSON on standard output. */
export const authScanCommand: Command = {
  path: ['auth-scan'],
  summary: 'print the sshd events of an auth log or journal export as NDJSON',
  usage,
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const options = parseOptions(args);
    const scanner = new AuthLogScanner({ format: options.format, now: options.now });
    const input = options.file === undefined ? undefined : await openInput(resolve(io.cwd, options.file));
    try {
      const chunks = input === undefined ? io.stdin : readChunks(input);
      // A write error also comes back through the write callback; without a listener it would crash the process.
      io.stdout.on('error', ignore);
      await scanStream(chunks, scanner, io.stdout);
    } catch (err) {
      // The reader went away (`hostwatch auth-scan … | head`): nothing left to do.
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
      throw err;
    } finally {
      io.stdout.off('error', ignore);
      await input?.close();
    }
    if (scanner.unparsed > 0) {
      const samples = scanner.unparsedSamples.map((s) => `  line ${s.line}: ${s.text}`).join('\n');
      io.stderr.write(
        `hostwatch auth-scan: ${scanner.unparsed} of ${scanner.sshdLines} sshd lines not recognised, for example:\n${samples}\n`,
      );
    }
    return 0;
  },
};

function ignore(): void {}

interface AuthScanOptions {
  readonly file: string | undefined;
  readonly format: AuthLogFormat;
  readonly now: number | undefined;
}

function parseOptions(args: readonly string[]): AuthScanOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { format: { type: 'string' }, now: { type: 'string' } },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const problems: string[] = [];
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    problems.push(`expected at most one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  const format = values.format ?? 'auto';
  if (!(AUTH_LOG_FORMATS as readonly string[]).includes(format)) {
    problems.push(`--format must be one of ${AUTH_LOG_FORMATS.join(', ')}, got '${format}'`);
  }
  let now: number | undefined;
  if (values.now !== undefined) {
    now = ISO_8601.test(values.now) ? Date.parse(values.now) : Number.NaN;
    if (Number.isNaN(now))
      problems.push(`--now must be an ISO-8601 time such as 2025-05-20T10:00:00Z, got '${values.now}'`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const file = positionals[0];
  return { file: file === '-' ? undefined : file, format: format as AuthLogFormat, now };
}

async function openInput(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'ENOENT'
        ? 'no such file; give the path of an auth log (e.g. /var/log/auth.log), or - to read standard input (e.g. journalctl -o json -u ssh | hostwatch auth-scan -)'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied; run as a user who may read it (e.g. a member of group adm, or with sudo)'
          : (err as Error).message;
    throw new Error(`cannot read ${path}: ${hint}`, { cause: err });
  }
  const stat = await handle.stat();
  if (stat.isDirectory()) {
    await handle.close();
    throw new Error(
      `cannot read ${path}: it is a directory; give the path of an auth log file, e.g. ${path}/auth.log`,
    );
  }
  return handle;
}

// Splits the stream into lines without holding more than one chunk (plus a partial line), and writes NDJSON in large
// pieces. A chunk is cut after its last newline byte, which never falls inside a UTF-8 sequence; ASCII chunks, the
// common case, are decoded as Latin-1, which gives the same string several times faster.
async function scanStream(
  chunks: AsyncIterable<Buffer | string>,
  scanner: AuthLogScanner,
  out: NodeJS.WritableStream,
): Promise<void> {
  let rest: Buffer = Buffer.alloc(0);
  let lineNo = 0;
  // NDJSON is encoded straight into a buffer; a full one is handed to the stream and a new one started.
  let output = Buffer.allocUnsafe(OUTPUT_BUFFER);
  let used = 0;
  const pendingWrites: Buffer[] = [];
  const json = new NdjsonWriter();
  // Lines are gathered into a string of about 64 Ki characters and encoded in one call: a call per line cost more
  // than the encoding.
  let batch = '';
  const flush = (): void => {
    if (batch.length === 0) return;
    if (used + batch.length * 3 > output.length) {
      pendingWrites.push(output.subarray(0, used));
      output = Buffer.allocUnsafe(Math.max(OUTPUT_BUFFER, batch.length * 3));
      used = 0;
    }
    used += output.write(batch, used, 'utf8');
    batch = '';
  };
  const scanText = (text: string, final: boolean): void => {
    let start = 0;
    let nl = text.indexOf('\n');
    for (;;) {
      const end = nl >= 0 ? nl : final && start < text.length ? text.length : -1;
      if (end < 0) break;
      // The scanner reads the line in place: lines of other programs cost no copy.
      const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      const event = scanner.scan(text, ++lineNo, start, lineEnd);
      if (event !== undefined && 'event' in event) {
        batch += json.line(event);
        if (batch.length >= BATCH_CHARS) flush();
      }
      if (nl < 0) break;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    flush();
  };
  for await (const chunk of chunks) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (rest.length > 0) bytes = Buffer.concat([rest, bytes]);
    const cut = bytes.lastIndexOf(10) + 1;
    // A copy: readChunks reuses its buffer.
    rest = Buffer.from(bytes.subarray(cut));
    if (cut > 0) scanText(decode(bytes.subarray(0, cut)), false);
    while (pendingWrites.length > 0) await write(out, pendingWrites.shift() as Buffer);
  }
  if (rest.length > 0) scanText(decode(rest), true);
  pendingWrites.push(output.subarray(0, used));
  for (const piece of pendingWrites) if (piece.length > 0) await write(out, piece);
}

const OUTPUT_BUFFER = 1 << 20;
const BATCH_CHARS = 1 << 16;

// A file is read with readSync into one reused 1 MiB buffer: no stream, no thread-pool round trip per piece.
async function* readChunks(handle: FileHandle): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    const n = readSync(handle.fd, buffer, 0, buffer.length, null);
    if (n === 0) return;
    yield buffer.subarray(0, n);
  }
}

function decode(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

function write(out: NodeJS.WritableStream, text: Buffer): Promise<void> {
  return new Promise((done, fail) => {
    out.write(text, (err) => (err ? fail(err) : done()));
  });
}

// One NDJSON line per event, the contract's fields in its order, unknown ones left out. Consecutive events mostly
// share host, time, pid, peer and user, so each field's JSON text is kept and reused while its value stays the same.
class NdjsonWriter {
  #host: string | undefined = '';
  #hostJson = '';
  #time = '';
  #timeJson = '';
  #pid: number | undefined = -1;
  #pidJson = '';
  #source: string | undefined = '';
  #sourceJson = '';
  #user: string | undefined = '';
  #userJson = '';
  #method: string | undefined = '';
  #methodJson = '';

  line(e: SshdEvent): string {
    if (e.host !== this.#host) {
      this.#host = e.host;
      this.#hostJson = e.host === undefined ? '' : `,"host":${quote(e.host)}`;
    }
    if (e.time !== this.#time) {
      this.#time = e.time;
      // ISO-8601 made by the parser: nothing in it needs escaping.
      this.#timeJson = `,"time":"${e.time}"`;
    }
    if (e.pid !== this.#pid) {
      this.#pid = e.pid;
      this.#pidJson = e.pid === undefined ? '' : `,"pid":${e.pid}`;
    }
    if (e.source !== this.#source) {
      this.#source = e.source;
      this.#sourceJson = e.source === undefined ? '' : `,"source":${quote(e.source)}`;
    }
    if (e.user !== this.#user) {
      this.#user = e.user;
      this.#userJson = e.user === undefined ? '' : `,"user":${quote(e.user)}`;
    }
    if (e.method !== this.#method) {
      this.#method = e.method;
      this.#methodJson = e.method === undefined ? '' : `,"method":${quote(e.method)}`;
    }
    const port = e.port === undefined ? '' : `,"port":${e.port}`;
    return `{"line":${e.line}${this.#timeJson}${this.#hostJson}${this.#pidJson},"event":"${e.event}"${this.#sourceJson}${this.#userJson}${port}${this.#methodJson},"count":${e.count}}\n`;
  }
}

// JSON string literal; JSON.stringify only for the rare text that needs escaping (it costs a runtime call).
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) return JSON.stringify(text);
  }
  return `"${text}"`;
}
