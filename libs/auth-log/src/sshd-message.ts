import type { SshdEventKind } from './sshd-event.js';

/**
 * What one sshd message says, before the scanner adds the line, time, host and what earlier lines of the same
 * process told: `event` undefined means a recognised message that is no event (it may still name the peer).
 */
export interface SshdMessage {
  readonly event: SshdEventKind | undefined;
  readonly source: string | undefined;
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly method: string | undefined;
  readonly count: number;
  /** The source names the peer of the process that logged the line (not so for the listener's own lines). */
  readonly binds: boolean;
  /** `User child is on pid <n>`: the process that serves the same peer after login. */
  readonly childPid?: number | undefined;
}

/**
 * Reads one sshd message (the text after `sshd[pid]: `); undefined when the message is not one sshd is known to log.
 * `knownSource` is the peer that earlier lines of the same process named: where an attacker-chosen user name makes a
 * line ambiguous, the reading that names this peer wins.
 *
 * Every address is read at a place the attacker cannot reach: right after text sshd writes itself, or anchored on
 * the end of the line when only the start holds attacker text (user names, client banners, disconnect reasons).
 */
export function parseSshdMessage(message: string, knownSource?: string): SshdMessage | undefined {
  const reader = new SshdMessageReader();
  const checked = knownSource !== undefined && isAddress(knownSource);
  if (!reader.read(message, 0, message.length, knownSource, checked)) return undefined;
  const { event, source, port, user, method, count, binds, childPid } = reader;
  const parsed: SshdMessage = { event, source, port, user, method, count, binds };
  return childPid === undefined ? parsed : { ...parsed, childPid };
}

/**
 * {@link parseSshdMessage} for a scanner: reads a message where it lies, `text` from `start` to `end` (a line inside
 * a large chunk), into its own fields, reused from message to message. The common messages are read in place by
 * index arithmetic: nothing is copied but the fields the event holds, and the peer's address is the known peer's own
 * string when the text names it. A search for a word may run past `end` to the word's next place in the chunk,
 * which is remembered for the lines before it (see NextWord); the rare messages are read from a copy of the message
 * alone.
 */
export class SshdMessageReader {
  event: SshdEventKind | undefined = undefined;
  source: string | undefined = undefined;
  port: number | undefined = undefined;
  user: string | undefined = undefined;
  method: string | undefined = undefined;
  count = 1;
  binds = false;
  childPid: number | undefined = undefined;
  /**
   * The known peer when text equal to it may be taken for it without a check: the scanner's peers are addresses this
   * parser read. Not one with a leading `:` (`::ffff:` would be removed from such text).
   */
  fast: string | undefined = undefined;

  /**
   * Reads the message `text[start, end)` into the fields; false when it is not one sshd is known to log. `known` is
   * the peer earlier lines of the process named; `knownIsAddress` that it is an address this parser read.
   */
  read(text: string, start: number, end: number, known: string | undefined, knownIsAddress = false): boolean {
    this.fast = knownIsAddress && known !== undefined && known.charCodeAt(0) !== 58 ? known : undefined;
    let t = text;
    let s = start;
    let e = end;
    // String.prototype.trimEnd's reach, only when the last character is one it would take (most lines end in text).
    if (e > s && isTrimmedLast(t.charCodeAt(e - 1))) {
      while (e > s && isWhiteSpace(t.charCodeAt(e - 1))) e--;
    }
    let count = 1;
    // `error: ` and `fatal: ` in place; the rarer prefixes and `message repeated` on a copy, by the string code.
    for (;;) {
      if (s >= e) break;
      const c = t.charCodeAt(s);
      if (c === 101 && has(t, s, e, 'error: ')) s += 7;
      else if (c === 102 && has(t, s, e, 'fatal: ')) s += 7;
      else if (
        c === 32 ||
        (c === 91 && has(t, s, e, '[ID ')) ||
        (c === 107 && has(t, s, e, 'kernel:')) ||
        (c === 109 && has(t, s, e, 'message repeated '))
      ) {
        let msg = stripPrefixes(t.slice(s, e));
        if (msg.charCodeAt(0) === 109 && msg.startsWith('message repeated ')) {
          const repeated = unwrapRepeated(msg);
          if (repeated === undefined) return false;
          count = repeated.count;
          msg = stripPrefixes(trimEnd(repeated.inner));
        }
        t = msg;
        s = 0;
        e = msg.length;
        break;
      } else break;
    }
    // The last character decides before any call: most lines are not `[preauth]`.
    if (e - 10 >= s && t.charCodeAt(e - 1) === 93 && has(t, e - 10, e, ' [preauth]')) e -= 10;
    if (!classify(this, t, s, e, known)) return false;
    if (count !== 1) this.count *= count;
    return true;
  }
}

type Reader = SshdMessageReader;

function classify(r: Reader, t: string, s: number, e: number, known: string | undefined): boolean {
  if (s >= e) return false;
  switch (t.charCodeAt(s)) {
    case 65: // A
      if (has(t, s, e, 'Accepted ')) return authResult(r, t, s, e, 'accepted', s + 9, known);
      return noise(r, t, s, e, A_NOISE);
    case 66: // B
      if (has(t, s, e, 'Bad protocol version identification ')) return probeFromEnd(r, t.slice(s, e));
      return noise(r, t, s, e, B_NOISE);
    case 98: // b
      if (has(t, s, e, 'banner exchange: Connection from ')) return connectionFrom(r, t, s + 33, e, 'probe');
      if (has(t, s, e, 'beginning MaxStartups')) return nothing(r);
      return false;
    case 67: // C
      // `Connection closed by `, `Connection reset by `, `Connection from ` differ at their 12th character.
      if (t.charCodeAt(s + 1) === 111) {
        const c = t.charCodeAt(s + 11);
        if (c === 99 && has(t, s, e, 'Connection closed by ')) return closedOrReset(r, t, s + 21, e, known);
        if (c === 114 && has(t, s, e, 'Connection reset by ')) return closedOrReset(r, t, s + 20, e, known);
        if (c === 102 && has(t, s, e, 'Connection from '))
          return connectionFrom(r, t, s + 16, e, 'connection');
      }
      if (has(t, s, e, 'Corrupted MAC on input')) return bare(r, 'probe');
      return noise(r, t, s, e, C_NOISE);
    case 68: // D
      // `Did not receive …`, `Disconnected from `, `Disconnecting` differ at their 3rd, then 11th character.
      if (t.charCodeAt(s + 2) === 115) {
        const c = t.charCodeAt(s + 10);
        if (c === 101 && has(t, s, e, 'Disconnected from '))
          return remoteAtEnd(r, t, s + 18, e, 'disconnected', true);
        if (c === 105 && has(t, s, e, 'Disconnecting')) return disconnecting(r, t, s, e, known);
        return false;
      }
      if (has(t, s, e, 'Did not receive identification string from '))
        return remoteAtEnd(r, t, s + 43, e, 'probe', true);
      return false;
    case 69: // E
      return noise(r, t, s, e, E_NOISE);
    case 70: // F
      if (has(t, s, e, 'Failed ')) return authResult(r, t, s, e, 'failed', s + 7, known);
      return false;
    case 73: // I
      if (has(t, s, e, 'Invalid user ')) return userFromAtEnd(r, t, s + 13, e, 'invalid_user');
      return false;
    case 80: // P
      if (has(t, s, e, 'PAM: ')) return pamError(r, t.slice(s, e));
      if (has(t, s, e, 'Postponed ') || has(t, s, e, 'Partial ')) return noiseBinding(r, t.slice(s, e));
      if (has(t, s, e, 'PAM ')) return nothing(r);
      if (has(t, s, e, 'Protocol major versions differ')) return probeProtocol(r, t.slice(s, e));
      return false;
    case 82: // R
      if (has(t, s, e, 'Received disconnect from ')) return receivedDisconnect(r, t, s + 25, e);
      if (has(t, s, e, 'ROOT LOGIN REFUSED FROM ')) return remoteAtEnd(r, t, s + 24, e, 'not_allowed', true);
      if (has(t, s, e, 'Read from socket failed: ')) return bare(r, 'disconnected');
      if (has(t, s, e, 'Received signal ')) return nothing(r);
      return false;
    case 83: // S
      if (has(t, s, e, 'SSH: Server;')) return legacyAuditLine(r, t.slice(s, e));
      if (has(t, s, e, 'Starting session: ')) return noiseBinding(r, t.slice(s, e));
      return noise(r, t, s, e, S_NOISE);
    case 84: // T
      if (has(t, s, e, 'Timeout before authentication for connection from '))
        return listenerTimeout(r, t.slice(s, e));
      if (has(t, s, e, 'Timeout before authentication for '))
        return remoteAtEnd(r, t, s + 34, e, 'probe', true);
      if (has(t, s, e, 'Timeout, client not responding from '))
        return remoteAtEnd(r, t, s + 36, e, 'disconnected', true);
      return noise(r, t, s, e, T_NOISE);
    case 85: // U
      if (has(t, s, e, 'User child is on pid ')) {
        const childPid = digits(t, s + 21, e);
        if (childPid === undefined) return false;
        nothing(r);
        r.childPid = childPid;
        return true;
      }
      if (has(t, s, e, 'User ')) return userNotAllowed(r, t.slice(s, e));
      if (has(t, s, e, 'Unable to negotiate with '))
        return connectionFrom(r, t, s + 25, e, 'negotiation_failed');
      if (has(t, s, e, 'Unable to negotiate')) return bare(r, 'negotiation_failed');
      return noise(r, t, s, e, U_NOISE);
    case 100: // d
      if (has(t, s, e, 'drop connection #')) return dropConnection(r, t.slice(s, e));
      if (has(t, s, e, 'debug')) return nothing(r);
      return false;
    case 105: // i
      if (has(t, s, e, 'input_userauth_request: ')) return nothing(r);
      if (has(t, s, e, 'invalid public DH value')) return bare(r, 'probe');
      return false;
    case 107: // k
      if (has(t, s, e, 'kex_exchange_identification: ')) return bare(r, 'probe');
      if (has(t, s, e, 'kex_protocol_error: ')) return nothing(r);
      return false;
    case 109: // m
      if (has(t, s, e, 'maximum authentication attempts exceeded for '))
        return authResult(r, t, s, e, 'too_many_failures', 0, known);
      return false;
    case 110: // n
      if (has(t, s, e, 'no matching ') || has(t, s, e, 'no hostkey alg'))
        return bare(r, 'negotiation_failed');
      return false;
    case 112: // p
      if (has(t, s, e, 'pam_')) return pamModule(r, t, s, e);
      return false;
    case 114: // r
      if (has(t, s, e, 'refused connect from ')) return refusedConnect(r, t.slice(s, e));
      if (has(t, s, e, 'reverse mapping checking ') || has(t, s, e, 'rexec ')) return nothing(r);
      return false;
    case 115: // s
      if (has(t, s, e, 'ssh_dispatch_run_fatal: Connection from '))
        return dispatchFatal(r, t.slice(s, e), known);
      return noise(r, t, s, e, LOWER_S_NOISE);
    case 117: // u
      if (has(t, s, e, 'userauth_') || has(t, s, e, 'user ')) return nothing(r);
      return false;
    default:
      return false;
  }
}

// Messages sshd logs that are no event of the vocabulary, by first letter.
const A_NOISE = [
  'Accepted key ',
  'Address ',
  'Authentication refused: ',
  'Authorized to ',
  'Attempt to write login records',
];
const B_NOISE = ['Bad packet length', 'Bind to port '];
const C_NOISE = [
  'Close session: ',
  'Changed root directory',
  'Could not ',
  'Certificate invalid',
  'Cannot bind any address',
];
const E_NOISE = ['Exiting on signal', 'Excess permission'];
const S_NOISE = [
  'Server listening on ',
  'Set /proc/self/oom_score_adj',
  'Starting session',
  'Server terminating',
];
const T_NOISE = ['Transferred: ', 'Too many '];
const U_NOISE = ['Unsupported option'];
const LOWER_S_NOISE = [
  'subsystem request for ',
  'session_input_channel_req',
  'srclimit_penalise: ',
  'session_pty_cleanup',
  'sshd version',
  'send_error: ',
];

// Whether `t` holds `word` at `at`, all of it before `end`. Asked of endsWith: for a constant word, optimized code
// turns String.prototype.startsWith into a loop that reads each character as from a string of unknown kind, where
// endsWith calls the builtin, which compares them directly (three times faster for a word of 25 characters).
function has(t: string, at: number, end: number, word: string): boolean {
  const stop = at + word.length;
  return stop <= end && t.endsWith(word, stop);
}

/**
 * The next place of a word in a text, remembered: String.prototype.indexOf cannot stop at the end of a line inside a
 * chunk, so a search for a word the rest of the line does not hold goes on to its next place in the chunk, and one
 * remembered search serves every later one that starts before that place. A word absent from many lines (crafted
 * ones, `logger -t sshd` can write them) so costs one pass over the chunk, not one per line.
 */
class NextWord {
  readonly #word: string;
  #text = '';
  #from = 0;
  #at = -1;

  constructor(word: string) {
    this.#word = word;
  }

  /** Index of the word in t[from, end), else -1. */
  in(t: string, from: number, end: number): number {
    const length = this.#word.length;
    if (from + length > end) return -1;
    let at = this.#at;
    // The same text (the same chunk: compared by identity first), and no place of the word between the remembered
    // search's start and this one's.
    if (!(t === this.#text && from >= this.#from && (at < 0 || from <= at))) {
      at = t.indexOf(this.#word, from);
      this.#text = t;
      this.#from = from;
      this.#at = at;
    }
    return at >= 0 && at + length <= end ? at : -1;
  }
}

const FROM = new NextWord(' from ');
const RHOST = new NextWord(' rhost=');
const USER = new NextWord(' user=');
const CLOSE = new NextWord(')');

// Index of the first space in t[from, end), else `end`. A space search stops at the next line's header at the latest.
function spaceIn(t: string, from: number, end: number): number {
  const at = t.indexOf(' ', from);
  return at < 0 || at > end ? end : at;
}

function set(
  r: Reader,
  kind: SshdEventKind | undefined,
  source: string | undefined,
  port: number | undefined,
  user: string | undefined,
  method: string | undefined,
  binds: boolean,
  count: number,
): true {
  r.event = kind;
  r.source = source;
  r.port = port;
  r.user = user;
  r.method = method;
  r.count = count;
  r.binds = binds;
  r.childPid = undefined;
  return true;
}

// A message that names no peer, user or method.
function bare(r: Reader, kind: SshdEventKind): true {
  return set(r, kind, undefined, undefined, undefined, undefined, false, 1);
}

// A recognised message that is no event.
function nothing(r: Reader): true {
  return set(r, undefined, undefined, undefined, undefined, undefined, false, 1);
}

// An event whose source is a string already cut out (by the readers of rare messages), `::ffff:` not yet removed.
function make(
  r: Reader,
  kind: SshdEventKind | undefined,
  source: string | undefined,
  port: number | undefined,
  user: string | undefined,
  method: string | undefined,
  binds = true,
  count = 1,
): true {
  return set(
    r,
    kind,
    source === undefined ? undefined : cleanAddress(source),
    port,
    user,
    method,
    binds,
    count,
  );
}

function noise(r: Reader, t: string, s: number, e: number, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (has(t, s, e, prefix)) return nothing(r);
  return false;
}

/** Removes the `::ffff:` of an IPv4-mapped IPv6 address. */
export function cleanAddress(address: string): string {
  return address.length > 7 && address.charCodeAt(0) === 58 && address.slice(0, 7).toLowerCase() === '::ffff:'
    ? address.slice(7)
    : address;
}

// Where the address t[a, b) starts once `::ffff:` is removed (cleanAddress in place, for an address of ASCII).
function cleanStart(t: string, a: number, b: number): number {
  return b - a > 7 &&
    t.charCodeAt(a) === 58 &&
    t.charCodeAt(a + 1) === 58 &&
    (t.charCodeAt(a + 2) | 32) === 102 &&
    (t.charCodeAt(a + 3) | 32) === 102 &&
    (t.charCodeAt(a + 4) | 32) === 102 &&
    (t.charCodeAt(a + 5) | 32) === 102 &&
    t.charCodeAt(a + 6) === 58
    ? a + 7
    : a;
}

// The address t[a, b) (checked by isAddressIn) as a source: `::ffff:` removed.
function sourceAt(t: string, a: number, b: number): string {
  return t.slice(cleanStart(t, a, b), b);
}

// Whether t[a, b) is the known peer `fast` (see SshdMessageReader.fast): then it is a valid address, and the source.
function isFast(t: string, a: number, b: number, fast: string | undefined): fast is string {
  return fast !== undefined && b - a === fast.length && t.endsWith(fast, a + fast.length);
}

// Whether the address t[a, b), `::ffff:` removed, is `known`.
function isKnown(t: string, a: number, b: number, known: string): boolean {
  const c = cleanStart(t, a, b);
  return known.length === b - c && t.endsWith(known, b);
}

// The characters String.prototype.trimEnd and trimStart take: WhiteSpace and LineTerminator of ECMAScript.
function isWhiteSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 5760 ||
    (c >= 8192 && c <= 8202) ||
    c === 8232 ||
    c === 8233 ||
    c === 8239 ||
    c === 8287 ||
    c === 12288 ||
    c === 65279
  );
}

// A last character after which the message is trimmed: String.prototype.trimEnd costs more than this check.
function isTrimmedLast(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

// String.prototype.trimEnd costs more than the check that there is nothing to trim, the common case.
function trimEnd(s: string): string {
  return isTrimmedLast(s.charCodeAt(s.length - 1)) ? s.trimEnd() : s;
}

// `error: `, `fatal: `, Solaris `[ID 800047 auth.info] `, journald-forwarded `kernel:[  970.699396]: `.
function stripPrefixes(message: string): string {
  let msg = message;
  for (;;) {
    const c = msg.charCodeAt(0);
    if (c === 101 && msg.startsWith('error: ')) msg = msg.slice(7);
    else if (c === 102 && msg.startsWith('fatal: ')) msg = msg.slice(7);
    else if (c === 91 && msg.startsWith('[ID ')) {
      const end = msg.indexOf('] ');
      if (end < 0) return msg;
      msg = msg.slice(end + 2);
    } else if (c === 107 && msg.startsWith('kernel:')) {
      let i = 7;
      while (msg.charCodeAt(i) === 32) i++;
      if (msg.charCodeAt(i) === 91) {
        const end = msg.indexOf(']', i);
        if (end < 0) return msg;
        i = end + 1;
      }
      if (msg.charCodeAt(i) === 58) i++;
      while (msg.charCodeAt(i) === 32) i++;
      msg = msg.slice(i);
    } else if (c === 32) msg = msg.trimStart();
    else return msg;
  }
}

// rsyslog: `message repeated 3 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]`.
function unwrapRepeated(msg: string): { count: number; inner: string } | undefined {
  const timesAt = msg.indexOf(' times: [', 17);
  if (timesAt < 0) return undefined;
  const count = digits(msg, 17, timesAt);
  if (count === undefined || count < 1 || !msg.endsWith(']')) return undefined;
  return { count, inner: msg.slice(timesAt + 9, -1).trimStart() };
}

function digits(s: string, start: number, end: number): number | undefined {
  if (end <= start || end - start > 10) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

// The end of the digits of t starting at `from`, before `end`.
function digitsEnd(t: string, from: number, end: number): number {
  let stop = from;
  while (stop < end && isDigit(t.charCodeAt(stop))) stop++;
  return stop;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Characters of an address or host name as sshd prints them: letters, digits, '.', ':', '-', '_', '%' (zone index).
const ADDRESS_CHAR = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-_%')
  ADDRESS_CHAR[c.charCodeAt(0)] = 1;

// Whether t[a, b) is an address or host name.
function isAddressIn(t: string, a: number, b: number): boolean {
  const n = b - a;
  if (n <= 0 || n > 255) return false;
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i);
    if (c > 127 || ADDRESS_CHAR[c] === 0) return false;
  }
  return true;
}

function isAddress(s: string): boolean {
  return isAddressIn(s, 0, s.length);
}

// What the last addressAtEnd found besides the address's start: where it ends, the port, and whether the address is
// the known peer given. Read right after the call, before any other; module state instead of an object per call.
let foundStop = 0;
let foundPort: number | undefined;
let foundFast = false;

/**
 * `<address>[ port <n>]` ending exactly at `end`: the start of the address, else -1 (see foundStop, …). Read
 * backwards by hand, each character once (String.prototype.lastIndexOf is slow in V8); when the text before the port
 * is the known peer `fast` after a space, one comparison reads it.
 */
function addressAtEnd(t: string, from: number, end: number, fast: string | undefined): number {
  let stop = end;
  let port: number | undefined;
  let i = end - 1;
  let n = 0;
  let unit = 1;
  while (i >= from) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n += c * unit;
    unit *= 10;
    i--;
  }
  // `<address> port <digits>`: i is on the space before the digits, of which there are at most 10.
  if (i < end - 1 && i - 5 >= from && t.charCodeAt(i) === 32 && t.endsWith(' port', i) && end - 1 - i <= 10) {
    port = n;
    stop = i - 5;
  }
  foundStop = stop;
  foundPort = port;
  if (fast !== undefined) {
    const a = stop - fast.length;
    if (a - 1 >= from && t.charCodeAt(a - 1) === 32 && t.endsWith(fast, a + fast.length)) {
      foundFast = true;
      return a;
    }
  }
  foundFast = false;
  // Back to the space before the address; a character no address holds settles it on the way.
  let start = stop - 1;
  while (start >= from) {
    const c = t.charCodeAt(start);
    if (c === 32) break;
    if (c > 127 || ADDRESS_CHAR[c] === 0) return -1;
    start--;
  }
  start++;
  return start >= stop || stop - start > 255 ? -1 : start;
}

// `[authenticating |invalid ]user <user> <address> port <n>` or `<address>[ port <n>]`, from `from` to the end.
function remoteAtEnd(
  r: Reader,
  t: string,
  from: number,
  e: number,
  kind: SshdEventKind,
  binds: boolean,
): boolean {
  const a = addressAtEnd(t, from, e, r.fast);
  if (a < 0) return false;
  const source = foundFast ? r.fast : sourceAt(t, a, foundStop);
  const port = foundPort;
  const user = remoteUser(t, from, a);
  if (user === null) return false;
  return set(r, kind, source, port, user, undefined, binds, 1);
}

// The user part of sshd's `remote id`: undefined when there is none, null when the text is not one.
function remoteUser(t: string, from: number, addressStart: number): string | undefined | null {
  if (addressStart <= from) return undefined;
  // The text before the address, read in place: one copy, of the user alone. The words start with different letters.
  const end = addressStart - 1;
  const c = t.charCodeAt(from);
  const word =
    c === 97 ? 'authenticating user ' : c === 105 ? 'invalid user ' : c === 117 ? 'user ' : undefined;
  if (word !== undefined && has(t, from, end, word)) return t.slice(from + word.length, end);
  return null;
}

function closedOrReset(r: Reader, t: string, from: number, e: number, known: string | undefined): boolean {
  if (t.charCodeAt(from) === 112 && has(t, from, e, 'peer'))
    return set(
      r,
      'disconnected',
      known === undefined ? undefined : cleanAddress(known),
      undefined,
      undefined,
      undefined,
      false,
      1,
    );
  return remoteAtEnd(r, t, from, e, 'disconnected', true);
}

// `Invalid user <user> from <address>[ port <n>]`: the user is attacker text, the end is sshd's.
function userFromAtEnd(r: Reader, t: string, from: number, e: number, kind: SshdEventKind): boolean {
  const a = addressAtEnd(t, from, e, r.fast);
  if (a < 0 || a - 6 < from - 1 || !has(t, a - 6, e, ' from ')) return false;
  const source = foundFast ? r.fast : sourceAt(t, a, foundStop);
  const port = foundPort;
  const user = a - 6 >= from ? t.slice(from, a - 6) : '';
  return set(r, kind, source, port, user, undefined, true, 1);
}

// `<fixed text><address> port <n>[:…]` or `<fixed text><address>[ …]`: the address follows sshd's own words.
function connectionFrom(r: Reader, t: string, from: number, e: number, kind: SshdEventKind): boolean {
  const end = spaceIn(t, from, e);
  let b = end;
  if (b > from && t.charCodeAt(b - 1) === 58) b--;
  const fast = r.fast;
  const isPeer = isFast(t, from, b, fast);
  if (!isPeer && !isAddressIn(t, from, b)) return false;
  let port: number | undefined;
  if (has(t, end, e, ' port ')) port = digits(t, end + 6, digitsEnd(t, end + 6, e));
  return set(r, kind, isPeer ? fast : sourceAt(t, from, b), port, undefined, undefined, true, 1);
}

// The methods sshd names, as the event names them (a `/pam` style sub-method removed): no copy for these.
const METHODS: readonly (readonly [text: string, method: string])[] = [
  ['password', 'password'],
  ['publickey', 'publickey'],
  ['none', 'none'],
  ['keyboard-interactive/pam', 'keyboard-interactive'],
  ['keyboard-interactive', 'keyboard-interactive'],
  ['hostbased', 'hostbased'],
];

// The method t[a, b), a `/pam` style sub-method removed.
function methodAt(t: string, a: number, b: number): string {
  const n = b - a;
  for (const [text, method] of METHODS) if (text.length === n && t.startsWith(text, a)) return method;
  let slash = a;
  while (slash < b && t.charCodeAt(slash) !== 47) slash++;
  return t.slice(a, slash > a && slash < b ? slash : b);
}

// What the last fromCandidate found: the end of the address, the port, where the candidate's text ends, and whether
// the address is the known peer `fast`.
let candidateStop = 0;
let candidatePort: number | undefined;
let candidateEnd = 0;
let candidateFast = false;

/**
 * `Accepted|Failed <method> for [invalid user ]<user> from <address> port <n> ssh2[: <info>]` and
 * `maximum authentication attempts exceeded for …`. The user (and for host-based logins the info) is attacker
 * text, so several ` from <a> port <n> ssh2` may appear: the one that ends the line or is followed by `: ` and,
 * among those, the one naming the peer this process already named, else the first.
 */
function authResult(
  r: Reader,
  t: string,
  s: number,
  e: number,
  kind: SshdEventKind,
  methodFrom: number,
  known: string | undefined,
): boolean {
  let forAt: number;
  let method: string | undefined;
  if (kind === 'too_many_failures') {
    forAt = s + 40;
  } else {
    // The method is one word, so ` for ` follows the first space or the message is none of these.
    forAt = t.indexOf(' ', methodFrom);
    if (forAt <= methodFrom || !has(t, forAt, e, ' for ')) return false;
    method = methodAt(t, methodFrom, forAt);
  }
  // The candidates in one pass, each read once: the first full one naming the known peer (rank 3), else the first
  // full one (rank 2), else the last one (rank 1).
  const fast = r.fast;
  let chosen = -1;
  let chosenStop = 0;
  let chosenPort: number | undefined;
  let chosenFast = false;
  let rank = 0;
  let at = FROM.in(t, forAt + 4, e);
  while (at >= 0) {
    const full = fromCandidate(t, at, e, fast);
    if (full >= 0) {
      let candidateRank = 1;
      if (full === 1) {
        const named = known !== undefined && (candidateFast || isKnown(t, at + 6, candidateStop, known));
        candidateRank = named ? 3 : 2;
      }
      if (candidateRank > rank || (candidateRank === 1 && rank === 1)) {
        chosen = at;
        chosenStop = candidateStop;
        chosenPort = candidatePort;
        chosenFast = candidateFast;
        rank = candidateRank;
        if (rank === 3) break;
      }
      // A candidate that ends the message holds no ` from ` after its own (an address, ` port <n>`, ` sshN`).
      if (candidateEnd === e) break;
    }
    at = FROM.in(t, at + 6, e);
  }
  if (chosen < 0) return false;
  let userStart = forAt + 5;
  if (
    t.charCodeAt(userStart) === 105 &&
    (has(t, userStart, e, 'invalid user ') || has(t, userStart, e, 'illegal user '))
  )
    userStart += 13;
  let user: string | undefined = '';
  if (chosen >= userStart) {
    user =
      chosen - userStart === 18 && t.endsWith('<invalid username>', chosen)
        ? undefined
        : t.slice(userStart, chosen);
  }
  const source = chosenFast ? fast : sourceAt(t, chosen + 6, chosenStop);
  return set(r, kind, source, chosenPort, user, method, true, 1);
}

// The candidate ` from <address>[ port <n>[ sshN[: …]]]` at `at`: 1 when full (`… port <n> sshN` followed by the
// end of the message or `: `), 0 when it ends the message early, -1 when it is none (see candidateStop, …).
function fromCandidate(t: string, at: number, e: number, fast: string | undefined): number {
  const start = at + 6;
  let end: number;
  if (
    fast !== undefined &&
    start + fast.length <= e &&
    t.endsWith(fast, start + fast.length) &&
    (start + fast.length === e || t.charCodeAt(start + fast.length) === 32)
  ) {
    // The known peer, up to the first space: an address.
    end = start + fast.length;
    candidateFast = true;
  } else {
    end = spaceIn(t, start, e);
    if (!isAddressIn(t, start, end)) return -1;
    candidateFast = false;
  }
  candidateStop = end;
  candidatePort = undefined;
  candidateEnd = e;
  if (end === e) return 0;
  if (!has(t, end, e, ' port ')) return -1;
  let stop = end + 6;
  let port = 0;
  while (stop < e) {
    const d = t.charCodeAt(stop) - 48;
    if (d < 0 || d > 9) break;
    port = port * 10 + d;
    stop++;
  }
  if (stop === end + 6 || stop - end - 6 > 10) return -1;
  candidatePort = port;
  if (stop === e) return 0;
  if (t.charCodeAt(stop) !== 32) return -1;
  if (!(has(t, stop, e, ' ssh2') || has(t, stop, e, ' ssh1'))) return -1;
  const protoEnd = stop + 5;
  candidateEnd = protoEnd;
  return protoEnd === e || has(t, protoEnd, e, ': ') ? 1 : -1;
}

// pam_unix(sshd:auth), pam_sss(sshd:auth), …; pam_unix(sshd:session): session opened/closed.
function pamModule(r: Reader, t: string, s: number, e: number): boolean {
  const close = closeParenColon(t, s, e);
  if (close < 0) return false;
  // Read in place from `at`, the start of the module's text.
  const at = close + 3;
  const c = t.charCodeAt(at);
  if (c === 97 && has(t, at, e, 'authentication failure; ')) {
    // Fixed fields first (logname uid euid tty ruser rhost), then `user=` which may be attacker text: read forward.
    const rhostAt = RHOST.in(t, at, e);
    if (rhostAt < 0) return set(r, 'failed', undefined, undefined, undefined, undefined, false, 0);
    const a = rhostAt + 7;
    const end = spaceIn(t, a, e);
    const userAt = USER.in(t, end, e);
    let user = userAt < 0 ? undefined : t.slice(userAt + 6, e);
    if (user === undefined) {
      // No `user=`: pam_unix names the account only when it exists; fall back on `ruser=` when set.
      // pam_unix writes `ruser=` right before `rhost=`: checked there first, before a walk back from rhost.
      const ruserAt =
        rhostAt - 7 >= at && t.endsWith(' ruser=', rhostAt)
          ? rhostAt - 7
          : lastIndexBefore(t, ' ruser=', at, rhostAt, e);
      if (ruserAt >= 0 && ruserAt + 7 < rhostAt) user = t.slice(ruserAt + 7, rhostAt);
    }
    if (isFast(t, a, end, r.fast)) return set(r, 'failed', r.fast, undefined, user, undefined, true, 0);
    return isAddressIn(t, a, end)
      ? set(r, 'failed', sourceAt(t, a, end), undefined, user, undefined, true, 0)
      : set(r, 'failed', undefined, undefined, user, undefined, false, 0);
  }
  if (c === 115) {
    if (has(t, at, e, 'session opened for user '))
      return set(r, 'session_opened', undefined, undefined, sessionUser(t, at + 24, e), undefined, false, 1);
    if (has(t, at, e, 'session closed for user '))
      return set(r, 'session_closed', undefined, undefined, sessionUser(t, at + 24, e), undefined, false, 1);
  }
  return nothing(r);
}

// The first `)` followed by `: ` in t[s, e), by way of the single character `)`, which String.prototype.indexOf
// finds several times faster than a word (the module's name is short, so the first `)` is nearly always the one).
function closeParenColon(t: string, s: number, e: number): number {
  let at = CLOSE.in(t, s, e);
  while (at >= 0 && !(at + 2 < e && t.charCodeAt(at + 1) === 58 && t.charCodeAt(at + 2) === 32))
    at = CLOSE.in(t, at + 1, e);
  return at;
}

// The last index >= `from` where `word` starts at or before `before`, all of it before `end`, else -1. By hand:
// lastIndexOf is slow in V8.
function lastIndexBefore(t: string, word: string, from: number, before: number, end: number): number {
  const first = word.charCodeAt(0);
  for (let i = Math.min(before, end - word.length); i >= from; i--) {
    if (t.charCodeAt(i) === first && t.endsWith(word, i + word.length)) return i;
  }
  return -1;
}

// `alice(uid=1000) by (uid=0)` or `alice by (uid=0)` or `alice`: an account name, so it ends at `(` or a space.
function sessionUser(t: string, from: number, e: number): string {
  let end = from;
  while (end < e) {
    const c = t.charCodeAt(end);
    if (c === 40 || c === 32) break;
    end++;
  }
  return t.slice(from, end);
}

// `Received disconnect from <address>[ port <n>]:<code>: <reason>`: the reason is the client's text, so read forward.
function receivedDisconnect(r: Reader, t: string, from: number, e: number): boolean {
  // An address holds no space, so it ends at the first space: right before it a `:` (`<address>: <reason>`), or
  // there ` port <n>`. Found with one search for a single character, several times cheaper than one for a word.
  const space = spaceIn(t, from, e);
  if (space <= from || space === e) return false;
  let b: number;
  let port: number | undefined;
  if (t.charCodeAt(space - 1) === 58) {
    b = space - 1;
  } else if (has(t, space, e, ' port ')) {
    b = space;
    port = digits(t, space + 6, digitsEnd(t, space + 6, e));
  } else {
    return false;
  }
  const fast = r.fast;
  if (isFast(t, from, b, fast)) return set(r, 'disconnected', fast, port, undefined, undefined, true, 1);
  if (!isAddressIn(t, from, b)) return false;
  return set(r, 'disconnected', sourceAt(t, from, b), port, undefined, undefined, true, 1);
}

/**
 * `Disconnecting: Too many authentication failures[ for <user>]`, `Disconnecting: <reason>`,
 * `Disconnecting <remote id>: <reason>`: both the remote id (user) and some reasons (user names) are attacker text.
 */
function disconnecting(r: Reader, t: string, s: number, e: number, known: string | undefined): boolean {
  if (has(t, s, e, 'Disconnecting: ')) {
    if (has(t, s + 15, e, 'Too many authentication failures')) {
      const user = has(t, s + 47, e, ' for ') ? t.slice(s + 52, e) : undefined;
      return set(r, 'too_many_failures', undefined, undefined, user, undefined, false, 1);
    }
    return bare(r, 'disconnected');
  }
  if (!has(t, s, e, 'Disconnecting ')) return false;
  return disconnectingRemote(r, t.slice(s, e), known);
}

// The readers of rare messages below work on a copy of the message alone, `msg`, and search it freely.

function disconnectingRemote(r: Reader, msg: string, known: string | undefined): boolean {
  // Each ` <address> port <n>: ` is a candidate end of the remote id; prefer the known peer, else the first.
  const candidates: { start: number; stop: number; port: number; end: number }[] = [];
  let at = msg.indexOf(': ', 14);
  while (at >= 0) {
    const start = addressAtEnd(msg, 14, at, undefined);
    if (start >= 0 && foundPort !== undefined)
      candidates.push({ start, stop: foundStop, port: foundPort, end: at });
    at = msg.indexOf(': ', at + 2);
  }
  const chosen =
    candidates.find((c) => known !== undefined && isKnown(msg, c.start, c.stop, known)) ?? candidates[0];
  if (chosen === undefined) return false;
  const user = remoteUser(msg, 14, chosen.start);
  if (user === null) return false;
  const kind = msg.startsWith('Too many authentication failures', chosen.end + 2)
    ? 'too_many_failures'
    : 'disconnected';
  return make(r, kind, msg.slice(chosen.start, chosen.stop), chosen.port, user, undefined);
}

function probeFromEnd(r: Reader, msg: string): boolean {
  const fromAt = msg.lastIndexOf(' from ');
  if (fromAt < 0) return false;
  const start = addressAtEnd(msg, fromAt + 6, msg.length, undefined);
  if (start < 0 || start !== fromAt + 6) return false;
  return make(r, 'probe', msg.slice(start, foundStop), foundPort, undefined, undefined);
}

function probeProtocol(r: Reader, msg: string): boolean {
  // Old: `Protocol major versions differ for <address>: …`; new ones name no address.
  if (msg.startsWith('Protocol major versions differ for ')) {
    const end = msg.indexOf(': ', 35);
    const address = end < 0 ? '' : msg.slice(35, end);
    if (isAddress(address)) return make(r, 'probe', address, undefined, undefined, undefined);
  }
  return bare(r, 'probe');
}

// `error: PAM: Authentication failure for [illegal user ]<user> from <address>[ via <local address>]`.
function pamError(r: Reader, msg: string): boolean {
  const forAt = msg.indexOf(' for ', 5);
  if (forAt < 0) return false;
  const reason = msg.slice(5, forAt).toLowerCase();
  if (!(reason.includes('failure') || reason.includes('error') || reason.includes('not known'))) return false;
  let end = msg.length;
  const via = msg.lastIndexOf(' via ');
  if (via > forAt && msg.indexOf(' ', via + 5) < 0) end = via;
  const space = msg.lastIndexOf(' ', end - 1);
  const address = msg.slice(space + 1, end);
  if (!isAddress(address) || !msg.startsWith(' from ', space - 5)) return false;
  let userStart = forAt + 5;
  if (msg.startsWith('illegal user ', userStart)) userStart += 13;
  const user = space - 5 > userStart ? msg.slice(userStart, space - 5) : '';
  return make(r, 'failed', address, undefined, user, undefined, true, 0);
}

function noiseBinding(r: Reader, msg: string): boolean {
  // `Postponed publickey for u from A port N ssh2`, `Starting session: shell on pts/0 for u from A port N id 0`.
  let at = msg.indexOf(' from ');
  if (at < 0) return nothing(r);
  for (let next = msg.indexOf(' from ', at + 6); next >= 0; next = msg.indexOf(' from ', next + 6)) at = next;
  let end = msg.indexOf(' ', at + 6);
  if (end < 0) end = msg.length;
  const address = msg.slice(at + 6, end);
  return isAddress(address) ? make(r, undefined, address, undefined, undefined, undefined) : nothing(r);
}

// `User <user> from <address> not allowed because <reason>`: the user is an existing account, the reason sshd's.
function userNotAllowed(r: Reader, msg: string): boolean {
  const because = msg.lastIndexOf(' not allowed because ');
  if (because < 0) return false;
  const fromAt = msg.lastIndexOf(' from ', because);
  if (fromAt >= 5) {
    const address = msg.slice(fromAt + 6, because);
    if (isAddress(address))
      return make(r, 'not_allowed', address, undefined, msg.slice(5, fromAt), undefined);
  }
  return make(r, 'not_allowed', undefined, undefined, msg.slice(5, because), undefined, false);
}

// libwrap: `refused connect from <client> (<address>)`.
function refusedConnect(r: Reader, msg: string): boolean {
  if (!msg.endsWith(')')) return false;
  const open = msg.lastIndexOf(' (');
  if (open < 0) return false;
  const address = msg.slice(open + 2, -1);
  return isAddress(address) && make(r, 'not_allowed', address, undefined, undefined, undefined);
}

// The listener: `Timeout before authentication for connection from <address> to <local>, pid = <n>`.
function listenerTimeout(r: Reader, msg: string): boolean {
  const end = msg.indexOf(' ', 50);
  const address = msg.slice(50, end < 0 ? msg.length : end);
  return isAddress(address) && make(r, 'probe', address, undefined, undefined, undefined, false);
}

// The listener: `drop connection #3 from [192.0.2.1]:51234 on [192.0.2.2]:22 past MaxStartups` (or `penalty: …`).
function dropConnection(r: Reader, msg: string): boolean {
  const fromAt = msg.indexOf(' from [', 17);
  if (fromAt < 0) return false;
  const close = msg.indexOf(']:', fromAt + 7);
  if (close < 0) return false;
  const address = msg.slice(fromAt + 7, close);
  if (!isAddress(address)) return false;
  const port = digits(msg, close + 2, digitsEnd(msg, close + 2, msg.length));
  return make(r, 'not_allowed', address, port, undefined, undefined, false);
}

// `ssh_dispatch_run_fatal: Connection from <remote id>: <reason>`.
function dispatchFatal(r: Reader, msg: string, known: string | undefined): boolean {
  const from = 40;
  let at = msg.indexOf(': ', from);
  while (at >= 0) {
    const start = addressAtEnd(msg, from, at, undefined);
    if (start >= 0 && foundPort !== undefined) {
      const stop = foundStop;
      const port = foundPort;
      const user = remoteUser(msg, from, start);
      if (user !== null && (known === undefined || isKnown(msg, start, stop, known))) {
        const kind = user === undefined ? 'probe' : 'disconnected';
        return make(r, kind, msg.slice(start, stop), port, user, undefined);
      }
    }
    at = msg.indexOf(': ', at + 2);
  }
  return make(r, 'probe', known, undefined, undefined, undefined, false);
}

// A patched sshd's audit line: `SSH: Server;Ltype: Version;Remote: 127.0.0.1-1780;Protocol: 2.0;…`.
function legacyAuditLine(r: Reader, msg: string): boolean {
  const at = msg.indexOf(';Remote: ');
  if (at < 0) return nothing(r);
  let end = msg.indexOf(';', at + 9);
  if (end < 0) end = msg.length;
  const remote = msg.slice(at + 9, end);
  const dash = remote.lastIndexOf('-');
  const address = dash > 0 ? remote.slice(0, dash) : remote;
  return isAddress(address)
    ? make(r, undefined, address, digits(remote, dash + 1, remote.length), undefined, undefined)
    : nothing(r);
}
