import { SSHD_EVENT_KINDS, type SshdEventKind } from './sshd-event.js';

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
  let msg = stripPrefixes(trimEnd(message));
  let count = 1;
  // The first and last characters decide before any call: most lines are neither repeated nor `[preauth]`.
  if (msg.charCodeAt(0) === 109 && msg.startsWith('message repeated ')) {
    const repeated = unwrapRepeated(msg);
    if (repeated === undefined) return undefined;
    count = repeated.count;
    msg = stripPrefixes(trimEnd(repeated.inner));
  }
  if (msg.charCodeAt(msg.length - 1) === 93 && msg.endsWith(' [preauth]')) msg = msg.slice(0, -10);
  const result = classify(msg, knownSource);
  if (result === undefined || count === 1) return result;
  return { ...result, count: result.count * count };
}

function classify(msg: string, known: string | undefined): SshdMessage | undefined {
  switch (msg.charCodeAt(0)) {
    case 65: // A
      if (msg.startsWith('Accepted ')) return authResult(msg, 'accepted', 9, known);
      return noise(msg, A_NOISE);
    case 66: // B
      if (msg.startsWith('Bad protocol version identification '))
        return probeFromEnd(msg, msg.lastIndexOf(' from '));
      return noise(msg, B_NOISE);
    case 98: // b
      if (msg.startsWith('banner exchange: Connection from ')) return connectionFrom(msg, 33, 'probe');
      if (msg.startsWith('beginning MaxStartups')) return NOTHING;
      return undefined;
    case 67: // C
      if (msg.startsWith('Connection closed by ')) return closedOrReset(msg, 21, known);
      if (msg.startsWith('Connection reset by ')) return closedOrReset(msg, 20, known);
      if (msg.startsWith('Connection from ')) return connectionFrom(msg, 16, 'connection');
      if (msg.startsWith('Corrupted MAC on input')) return event('probe');
      return noise(msg, C_NOISE);
    case 68: // D
      if (msg.startsWith('Did not receive identification string from '))
        return remoteAtEnd(msg, 43, 'probe', true);
      if (msg.startsWith('Disconnected from ')) return remoteAtEnd(msg, 18, 'disconnected', true);
      if (msg.startsWith('Disconnecting')) return disconnecting(msg, known);
      return undefined;
    case 69: // E
      return noise(msg, E_NOISE);
    case 70: // F
      if (msg.startsWith('Failed ')) return authResult(msg, 'failed', 7, known);
      return undefined;
    case 73: // I
      if (msg.startsWith('Invalid user ')) return userFromAtEnd(msg, 13, 'invalid_user');
      return undefined;
    case 80: // P
      if (msg.startsWith('PAM: ')) return pamError(msg);
      if (msg.startsWith('Postponed ') || msg.startsWith('Partial ')) return noiseBinding(msg);
      if (msg.startsWith('PAM ')) return event(undefined);
      if (msg.startsWith('Protocol major versions differ')) return probeProtocol(msg);
      return undefined;
    case 82: // R
      if (msg.startsWith('Received disconnect from ')) return receivedDisconnect(msg);
      if (msg.startsWith('ROOT LOGIN REFUSED FROM ')) return remoteAtEnd(msg, 24, 'not_allowed', true);
      if (msg.startsWith('Read from socket failed: ')) return event('disconnected');
      if (msg.startsWith('Received signal ')) return event(undefined);
      return undefined;
    case 83: // S
      if (msg.startsWith('SSH: Server;')) return legacyAuditLine(msg);
      if (msg.startsWith('Starting session: ')) return noiseBinding(msg);
      return noise(msg, S_NOISE);
    case 84: // T
      if (msg.startsWith('Timeout before authentication for connection from ')) return listenerTimeout(msg);
      if (msg.startsWith('Timeout before authentication for ')) return remoteAtEnd(msg, 34, 'probe', true);
      if (msg.startsWith('Timeout, client not responding from '))
        return remoteAtEnd(msg, 36, 'disconnected', true);
      return noise(msg, T_NOISE);
    case 85: // U
      if (msg.startsWith('User child is on pid ')) {
        const childPid = digits(msg, 21, msg.length);
        return childPid === undefined ? undefined : { ...NOTHING, childPid };
      }
      if (msg.startsWith('User ')) return userNotAllowed(msg);
      if (msg.startsWith('Unable to negotiate with ')) return connectionFrom(msg, 25, 'negotiation_failed');
      if (msg.startsWith('Unable to negotiate')) return event('negotiation_failed');
      return noise(msg, U_NOISE);
    case 100: // d
      if (msg.startsWith('drop connection #')) return dropConnection(msg);
      if (msg.startsWith('debug')) return event(undefined);
      return undefined;
    case 105: // i
      if (msg.startsWith('input_userauth_request: ')) return event(undefined);
      if (msg.startsWith('invalid public DH value')) return event('probe');
      return undefined;
    case 107: // k
      if (msg.startsWith('kex_exchange_identification: ')) return event('probe');
      if (msg.startsWith('kex_protocol_error: ')) return event(undefined);
      return undefined;
    case 109: // m
      if (msg.startsWith('maximum authentication attempts exceeded for ')) {
        return authResult(msg, 'too_many_failures', 0, known);
      }
      return undefined;
    case 110: // n
      if (msg.startsWith('no matching ') || msg.startsWith('no hostkey alg'))
        return event('negotiation_failed');
      return undefined;
    case 112: // p
      if (msg.startsWith('pam_')) return pamModule(msg);
      return undefined;
    case 114: // r
      if (msg.startsWith('refused connect from ')) return refusedConnect(msg);
      if (msg.startsWith('reverse mapping checking ') || msg.startsWith('rexec ')) return event(undefined);
      return undefined;
    case 115: // s
      if (msg.startsWith('ssh_dispatch_run_fatal: Connection from ')) return dispatchFatal(msg, known);
      return noise(msg, LOWER_S_NOISE);
    case 117: // u
      if (msg.startsWith('userauth_') || msg.startsWith('user ')) return event(undefined);
      return undefined;
    default:
      return undefined;
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

const NOTHING: SshdMessage = Object.freeze({
  event: undefined,
  source: undefined,
  port: undefined,
  user: undefined,
  method: undefined,
  count: 1,
  binds: false,
});

// String.prototype.trimEnd costs more than the check that there is nothing to trim, the common case.
function trimEnd(s: string): string {
  const c = s.charCodeAt(s.length - 1);
  return c === 32 || c === 9 || c === 10 || c === 13 ? s.trimEnd() : s;
}

// One shared, frozen result per kind for messages that name no peer, user or method.
const BARE = new Map<SshdEventKind, SshdMessage>(
  SSHD_EVENT_KINDS.map((kind) => [kind, Object.freeze({ ...NOTHING, event: kind })]),
);

function event(kind: SshdEventKind | undefined): SshdMessage {
  return kind === undefined ? NOTHING : (BARE.get(kind) ?? NOTHING);
}

function noise(msg: string, known: readonly string[]): SshdMessage | undefined {
  for (const prefix of known) if (msg.startsWith(prefix)) return NOTHING;
  return undefined;
}

function make(
  kind: SshdEventKind | undefined,
  source: string | undefined,
  port: number | undefined,
  user: string | undefined,
  method: string | undefined,
  binds = true,
  count = 1,
): SshdMessage {
  return {
    event: kind,
    source: source === undefined ? undefined : cleanAddress(source),
    port,
    user,
    method,
    count,
    binds,
  };
}

/** Removes the `::ffff:` of an IPv4-mapped IPv6 address. */
export function cleanAddress(address: string): string {
  return address.length > 7 && address.charCodeAt(0) === 58 && address.slice(0, 7).toLowerCase() === '::ffff:'
    ? address.slice(7)
    : address;
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

// Characters of an address or host name as sshd prints them: letters, digits, '.', ':', '-', '_', '%' (zone index).
const ADDRESS_CHAR = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-_%')
  ADDRESS_CHAR[c.charCodeAt(0)] = 1;

function isAddress(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 255) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || ADDRESS_CHAR[c] === 0) return false;
  }
  return true;
}

interface Remote {
  readonly address: string;
  readonly port: number | undefined;
  /** Index where the address starts. */
  readonly start: number;
}

// `<address>[ port <n>]` ending exactly at `end`. Scans backwards by hand: String.prototype.lastIndexOf is slow in V8.
function addressAtEnd(s: string, from: number, end: number): Remote | undefined {
  let stop = end;
  let port: number | undefined;
  let i = end - 1;
  while (i >= from && isDigit(s.charCodeAt(i))) i--;
  // `<address> port <digits>`: i is on the space before the digits.
  if (i < end - 1 && i - 5 >= from && s.charCodeAt(i) === 32 && s.startsWith(' port', i - 5)) {
    port = digits(s, i + 1, end);
    if (port !== undefined) stop = i - 5;
  }
  let start = stop - 1;
  while (start >= from && s.charCodeAt(start) !== 32) start--;
  start++;
  if (start >= stop) return undefined;
  const address = s.slice(start, stop);
  return isAddress(address) ? { address, port, start } : undefined;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// `[authenticating |invalid ]user <user> <address> port <n>` or `<address>[ port <n>]`, from `from` to the end.
function remoteAtEnd(
  msg: string,
  from: number,
  kind: SshdEventKind,
  binds: boolean,
): SshdMessage | undefined {
  const remote = addressAtEnd(msg, from, msg.length);
  if (remote === undefined) return undefined;
  const user = remoteUser(msg, from, remote.start);
  if (user === null) return undefined;
  return make(kind, remote.address, remote.port, user, undefined, binds);
}

// The user part of sshd's `remote id`: undefined when there is none, null when the text is not one.
function remoteUser(msg: string, from: number, addressStart: number): string | undefined | null {
  if (addressStart <= from) return undefined;
  // The text before the address, read in place: one copy, of the user alone.
  const end = addressStart - 1;
  for (const word of REMOTE_USER_WORDS) {
    if (end - from >= word.length && msg.startsWith(word, from)) return msg.slice(from + word.length, end);
  }
  return null;
}

const REMOTE_USER_WORDS = ['authenticating user ', 'invalid user ', 'user '];

function closedOrReset(msg: string, from: number, known: string | undefined): SshdMessage | undefined {
  if (msg.startsWith('peer', from))
    return make('disconnected', known, undefined, undefined, undefined, false);
  return remoteAtEnd(msg, from, 'disconnected', true);
}

// `Invalid user <user> from <address>[ port <n>]`: the user is attacker text, the end is sshd's.
function userFromAtEnd(msg: string, from: number, kind: SshdEventKind): SshdMessage | undefined {
  const remote = addressAtEnd(msg, from, msg.length);
  if (remote === undefined || !msg.startsWith(' from ', remote.start - 6) || remote.start - 6 < from - 1) {
    return undefined;
  }
  const user = remote.start - 6 >= from ? msg.slice(from, remote.start - 6) : '';
  return make(kind, remote.address, remote.port, user, undefined);
}

// `<fixed text><address> port <n>[:…]` or `<fixed text><address>[ …]`: the address follows sshd's own words.
function connectionFrom(msg: string, from: number, kind: SshdEventKind): SshdMessage | undefined {
  let end = msg.indexOf(' ', from);
  if (end < 0) end = msg.length;
  let address = msg.slice(from, end);
  if (address.endsWith(':')) address = address.slice(0, -1);
  if (!isAddress(address)) return undefined;
  let port: number | undefined;
  if (msg.startsWith(' port ', end)) {
    let stop = end + 6;
    while (stop < msg.length && msg.charCodeAt(stop) >= 48 && msg.charCodeAt(stop) <= 57) stop++;
    port = digits(msg, end + 6, stop);
  }
  return make(kind, address, port, undefined, undefined);
}

function probeFromEnd(msg: string, fromAt: number): SshdMessage | undefined {
  if (fromAt < 0) return undefined;
  const remote = addressAtEnd(msg, fromAt + 6, msg.length);
  if (remote === undefined || remote.start !== fromAt + 6) return undefined;
  return make('probe', remote.address, remote.port, undefined, undefined);
}

function probeProtocol(msg: string): SshdMessage {
  // Old: `Protocol major versions differ for <address>: …`; new ones name no address.
  if (msg.startsWith('Protocol major versions differ for ')) {
    const end = msg.indexOf(': ', 35);
    const address = end < 0 ? '' : msg.slice(35, end);
    if (isAddress(address)) return make('probe', address, undefined, undefined, undefined);
  }
  return event('probe');
}

interface FromCandidate {
  readonly address: string;
  readonly port: number | undefined;
  readonly at: number;
  /** `from <a> port <n> sshN` followed by the end of the line or `: `. */
  readonly full: boolean;
}

/**
 * `Accepted|Failed <method> for [invalid user ]<user> from <address> port <n> ssh2[: <info>]` and
 * `maximum authentication attempts exceeded for …`. The user (and for host-based logins the info) is attacker
 * text, so several ` from <a> port <n> ssh2` may appear: the one that ends the line or is followed by `: ` and,
 * among those, the one naming the peer this process already named, else the first.
 */
function authResult(
  msg: string,
  kind: SshdEventKind,
  methodAt: number,
  known: string | undefined,
): SshdMessage | undefined {
  let forAt: number;
  let method: string | undefined;
  if (kind === 'too_many_failures') {
    forAt = 40;
  } else {
    // The method is one word, so ` for ` follows the first space or the message is none of these.
    forAt = msg.indexOf(' ', methodAt);
    if (forAt <= methodAt || !msg.startsWith(' for ', forAt)) return undefined;
    method = msg.slice(methodAt, forAt);
    const slash = method.indexOf('/');
    if (slash > 0) method = method.slice(0, slash);
  }
  // The candidates in one pass, without a list: the first full one naming the known peer, else the first full one,
  // else the last one.
  let knownFull: FromCandidate | undefined;
  let firstFull: FromCandidate | undefined;
  let last: FromCandidate | undefined;
  let at = msg.indexOf(' from ', forAt + 4);
  while (at >= 0) {
    const c = fromCandidate(msg, at);
    if (c !== undefined) {
      last = c;
      if (c.full) {
        firstFull ??= c;
        if (known !== undefined && knownFull === undefined && cleanAddress(c.address) === known)
          knownFull = c;
      }
    }
    at = msg.indexOf(' from ', at + 6);
  }
  const chosen = knownFull ?? firstFull ?? last;
  if (chosen === undefined) return undefined;
  let userStart = forAt + 5;
  if (msg.startsWith('invalid user ', userStart)) userStart += 13;
  else if (msg.startsWith('illegal user ', userStart)) userStart += 13;
  let user: string | undefined = chosen.at >= userStart ? msg.slice(userStart, chosen.at) : '';
  if (user === '<invalid username>') user = undefined;
  return make(kind, chosen.address, chosen.port, user, method);
}

function fromCandidate(msg: string, at: number): FromCandidate | undefined {
  const start = at + 6;
  let end = msg.indexOf(' ', start);
  if (end < 0) end = msg.length;
  const address = msg.slice(start, end);
  if (!isAddress(address)) return undefined;
  if (end === msg.length) return { address, port: undefined, at, full: false };
  if (!msg.startsWith(' port ', end)) return undefined;
  let stop = end + 6;
  while (stop < msg.length && msg.charCodeAt(stop) >= 48 && msg.charCodeAt(stop) <= 57) stop++;
  const port = digits(msg, end + 6, stop);
  if (port === undefined) return undefined;
  if (stop === msg.length) return { address, port, at, full: false };
  if (msg.charCodeAt(stop) !== 32) return undefined;
  const protoEnd = stop + 5;
  if (!(msg.startsWith(' ssh2', stop) || msg.startsWith(' ssh1', stop))) return undefined;
  const full = protoEnd === msg.length || msg.startsWith(': ', protoEnd);
  return full ? { address, port, at, full } : undefined;
}

// `error: PAM: Authentication failure for [illegal user ]<user> from <address>[ via <local address>]`.
function pamError(msg: string): SshdMessage | undefined {
  const forAt = msg.indexOf(' for ', 5);
  if (forAt < 0) return undefined;
  const reason = msg.slice(5, forAt).toLowerCase();
  if (!(reason.includes('failure') || reason.includes('error') || reason.includes('not known')))
    return undefined;
  let end = msg.length;
  const via = msg.lastIndexOf(' via ');
  if (via > forAt && msg.indexOf(' ', via + 5) < 0) end = via;
  const space = msg.lastIndexOf(' ', end - 1);
  const address = msg.slice(space + 1, end);
  if (!isAddress(address) || !msg.startsWith(' from ', space - 5)) return undefined;
  let userStart = forAt + 5;
  if (msg.startsWith('illegal user ', userStart)) userStart += 13;
  const user = space - 5 > userStart ? msg.slice(userStart, space - 5) : '';
  return make('failed', address, undefined, user, undefined, true, 0);
}

// pam_unix(sshd:auth), pam_sss(sshd:auth), …; pam_unix(sshd:session): session opened/closed.
function pamModule(msg: string): SshdMessage | undefined {
  const close = closeParenColon(msg);
  if (close < 0) return undefined;
  // Read in place from `at`, the start of the module's text: no copy of it.
  const at = close + 3;
  if (msg.startsWith('authentication failure; ', at)) {
    // Fixed fields first (logname uid euid tty ruser rhost), then `user=` which may be attacker text: read forward.
    const rhostAt = msg.indexOf(' rhost=', at);
    if (rhostAt < 0) return make('failed', undefined, undefined, undefined, undefined, false, 0);
    let end = msg.indexOf(' ', rhostAt + 7);
    if (end < 0) end = msg.length;
    const address = msg.slice(rhostAt + 7, end);
    const userAt = msg.indexOf(' user=', end);
    let user = userAt < 0 ? undefined : msg.slice(userAt + 6);
    if (user === undefined) {
      // No `user=`: pam_unix names the account only when it exists; fall back on `ruser=` when set.
      // pam_unix writes `ruser=` right before `rhost=`: checked there first, before a walk back from rhost.
      const ruserAt =
        rhostAt - 7 >= at && msg.startsWith(' ruser=', rhostAt - 7)
          ? rhostAt - 7
          : lastIndexBefore(msg, ' ruser=', at, rhostAt);
      if (ruserAt >= 0 && ruserAt + 7 < rhostAt) user = msg.slice(ruserAt + 7, rhostAt);
    }
    return address.length > 0 && isAddress(address)
      ? make('failed', address, undefined, user, undefined, true, 0)
      : make('failed', undefined, undefined, user, undefined, false, 0);
  }
  if (msg.startsWith('session opened for user ', at))
    return make('session_opened', undefined, undefined, sessionUser(msg, at + 24), undefined, false);
  if (msg.startsWith('session closed for user ', at))
    return make('session_closed', undefined, undefined, sessionUser(msg, at + 24), undefined, false);
  return NOTHING;
}

// msg.indexOf('): ') by way of the single character `)`, which String.prototype.indexOf finds several times faster
// than a word (the module's name is short, so the first `)` is nearly always the one).
function closeParenColon(msg: string): number {
  let at = msg.indexOf(')');
  while (at >= 0 && !(msg.charCodeAt(at + 1) === 58 && msg.charCodeAt(at + 2) === 32)) at = msg.indexOf(')', at + 1);
  return at;
}

// The last index >= `from` where `word` starts at or before `before`, else -1. By hand: lastIndexOf is slow in V8.
function lastIndexBefore(s: string, word: string, from: number, before: number): number {
  const first = word.charCodeAt(0);
  for (let i = Math.min(before, s.length - word.length); i >= from; i--) {
    if (s.charCodeAt(i) === first && s.startsWith(word, i)) return i;
  }
  return -1;
}

// `alice(uid=1000) by (uid=0)` or `alice by (uid=0)` or `alice`: an account name, so it ends at `(` or a space.
function sessionUser(text: string, from: number): string {
  let end = from;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 40 || c === 32) break;
    end++;
  }
  return text.slice(from, end);
}

function noiseBinding(msg: string): SshdMessage {
  // `Postponed publickey for u from A port N ssh2`, `Starting session: shell on pts/0 for u from A port N id 0`.
  let at = msg.indexOf(' from ');
  if (at < 0) return NOTHING;
  for (let next = msg.indexOf(' from ', at + 6); next >= 0; next = msg.indexOf(' from ', next + 6)) at = next;
  let end = msg.indexOf(' ', at + 6);
  if (end < 0) end = msg.length;
  const address = msg.slice(at + 6, end);
  return isAddress(address) ? make(undefined, address, undefined, undefined, undefined) : NOTHING;
}

// `Received disconnect from <address>[ port <n>]:<code>: <reason>`: the reason is the client's text, so read forward.
function receivedDisconnect(msg: string): SshdMessage | undefined {
  const from = 25;
  // An address holds no space, so it ends at the first space: right before it a `:` (`<address>: <reason>`), or
  // there ` port <n>`. Found with one search for a single character, several times cheaper than one for a word.
  const space = msg.indexOf(' ', from);
  if (space <= from) return undefined;
  let address: string;
  let port: number | undefined;
  if (msg.charCodeAt(space - 1) === 58) {
    address = msg.slice(from, space - 1);
  } else if (msg.startsWith(' port ', space)) {
    address = msg.slice(from, space);
    let stop = space + 6;
    while (stop < msg.length && msg.charCodeAt(stop) >= 48 && msg.charCodeAt(stop) <= 57) stop++;
    port = digits(msg, space + 6, stop);
  } else {
    return undefined;
  }
  if (!isAddress(address)) return undefined;
  return make('disconnected', address, port, undefined, undefined);
}

/**
 * `Disconnecting: Too many authentication failures[ for <user>]`, `Disconnecting: <reason>`,
 * `Disconnecting <remote id>: <reason>`: both the remote id (user) and some reasons (user names) are attacker text.
 */
function disconnecting(msg: string, known: string | undefined): SshdMessage | undefined {
  if (msg.startsWith('Disconnecting: ')) {
    if (msg.startsWith('Too many authentication failures', 15)) {
      const user = msg.startsWith(' for ', 47) ? msg.slice(52) : undefined;
      return make('too_many_failures', undefined, undefined, user, undefined, false);
    }
    return event('disconnected');
  }
  if (!msg.startsWith('Disconnecting ')) return undefined;
  // Each ` <address> port <n>: ` is a candidate end of the remote id; prefer the known peer, else the first.
  const candidates: { remote: Remote; end: number }[] = [];
  let at = msg.indexOf(': ', 14);
  while (at >= 0) {
    const remote = addressAtEnd(msg, 14, at);
    if (remote !== undefined && remote.port !== undefined) candidates.push({ remote, end: at });
    at = msg.indexOf(': ', at + 2);
  }
  const chosen =
    candidates.find((c) => known !== undefined && cleanAddress(c.remote.address) === known) ?? candidates[0];
  if (chosen === undefined) return undefined;
  const user = remoteUser(msg, 14, chosen.remote.start);
  if (user === null) return undefined;
  const reason = msg.slice(chosen.end + 2);
  const kind = reason.startsWith('Too many authentication failures') ? 'too_many_failures' : 'disconnected';
  return make(kind, chosen.remote.address, chosen.remote.port, user, undefined);
}

// `User <user> from <address> not allowed because <reason>`: the user is an existing account, the reason sshd's.
function userNotAllowed(msg: string): SshdMessage | undefined {
  const because = msg.lastIndexOf(' not allowed because ');
  if (because < 0) return undefined;
  const fromAt = msg.lastIndexOf(' from ', because);
  if (fromAt >= 5) {
    const address = msg.slice(fromAt + 6, because);
    if (isAddress(address)) return make('not_allowed', address, undefined, msg.slice(5, fromAt), undefined);
  }
  return make('not_allowed', undefined, undefined, msg.slice(5, because), undefined, false);
}

// libwrap: `refused connect from <client> (<address>)`.
function refusedConnect(msg: string): SshdMessage | undefined {
  if (!msg.endsWith(')')) return undefined;
  const open = msg.lastIndexOf(' (');
  if (open < 0) return undefined;
  const address = msg.slice(open + 2, -1);
  return isAddress(address) ? make('not_allowed', address, undefined, undefined, undefined) : undefined;
}

// The listener: `Timeout before authentication for connection from <address> to <local>, pid = <n>`.
function listenerTimeout(msg: string): SshdMessage | undefined {
  const end = msg.indexOf(' ', 50);
  const address = msg.slice(50, end < 0 ? msg.length : end);
  return isAddress(address) ? make('probe', address, undefined, undefined, undefined, false) : undefined;
}

// The listener: `drop connection #3 from [192.0.2.1]:51234 on [192.0.2.2]:22 past MaxStartups` (or `penalty: …`).
function dropConnection(msg: string): SshdMessage | undefined {
  const fromAt = msg.indexOf(' from [', 17);
  if (fromAt < 0) return undefined;
  const close = msg.indexOf(']:', fromAt + 7);
  if (close < 0) return undefined;
  const address = msg.slice(fromAt + 7, close);
  let stop = close + 2;
  while (stop < msg.length && msg.charCodeAt(stop) >= 48 && msg.charCodeAt(stop) <= 57) stop++;
  if (!isAddress(address)) return undefined;
  return make('not_allowed', address, digits(msg, close + 2, stop), undefined, undefined, false);
}

// `ssh_dispatch_run_fatal: Connection from <remote id>: <reason>`.
function dispatchFatal(msg: string, known: string | undefined): SshdMessage | undefined {
  const from = 40;
  let at = msg.indexOf(': ', from);
  while (at >= 0) {
    const remote = addressAtEnd(msg, from, at);
    if (remote !== undefined && remote.port !== undefined) {
      const user = remoteUser(msg, from, remote.start);
      if (user !== null && (known === undefined || cleanAddress(remote.address) === known)) {
        const kind = user === undefined ? 'probe' : 'disconnected';
        return make(kind, remote.address, remote.port, user, undefined);
      }
    }
    at = msg.indexOf(': ', at + 2);
  }
  return make('probe', known, undefined, undefined, undefined, false);
}

// A patched sshd's audit line: `SSH: Server;Ltype: Version;Remote: 127.0.0.1-1780;Protocol: 2.0;…`.
function legacyAuditLine(msg: string): SshdMessage {
  const at = msg.indexOf(';Remote: ');
  if (at < 0) return NOTHING;
  let end = msg.indexOf(';', at + 9);
  if (end < 0) end = msg.length;
  const remote = msg.slice(at + 9, end);
  const dash = remote.lastIndexOf('-');
  const address = dash > 0 ? remote.slice(0, dash) : remote;
  return isAddress(address)
    ? make(undefined, address, digits(remote, dash + 1, remote.length), undefined, undefined)
    : NOTHING;
}
