import { createHash } from 'node:crypto';
import type { SshdEvent } from './sshd-event.js';

/** How an sshd connection ended up: someone logged in, only failures or refusals, or no login attempt at all. */
export type SessionOutcome = 'accepted' | 'failed' | 'aborted';

/** One sshd connection folded from its events: the unit the original client counted as "an attempt". */
export interface SshSession {
  /**
   * `<host>:<pid>:<epoch ms of its first event>` (`-` for a missing host or pid), or `sha256:<hex>` of that text when
   * longer than 200 characters: re-reading the same log gives the same id.
   */
  readonly id: string;
  readonly host: string | undefined;
  readonly pid: number | undefined;
  readonly source: string | undefined;
  readonly port: number | undefined;
  /** User names tried, in order of first use, at most 32. */
  readonly users: readonly string[];
  /** Authentication methods tried, in order of first use. */
  readonly methods: readonly string[];
  /** Failed attempts: the sum of the `count` of its `failed` events. */
  readonly failures: number;
  readonly outcome: SessionOutcome;
  /** Who logged in, when the outcome is `accepted`. */
  readonly acceptedUser: string | undefined;
  /** Time of the first event, ISO-8601. */
  readonly start: string;
  /** Time of the last disconnect, too-many-failures or session close, ISO-8601; undefined when the log never showed one. */
  readonly end: string | undefined;
  readonly firstLine: number;
  readonly lastLine: number;
  /** How many events it was folded from. */
  readonly events: number;
}

/** Settings of a {@link SessionTracker}. */
export interface SessionTrackerOptions {
  /** How long after its last disconnect line a session may still take lines (e.g. the PAM session close); default 60 s. */
  readonly graceMs?: number | undefined;
  /** After how long without a line a session that never disconnected is given up; default 24 h. */
  readonly idleMs?: number | undefined;
}

interface OpenSession {
  key: string;
  id: string;
  host: string | undefined;
  pid: number | undefined;
  source: string | undefined;
  port: number | undefined;
  users: string[];
  methods: string[];
  failures: number;
  refused: boolean;
  acceptedUser: string | undefined;
  start: string;
  end: string | undefined;
  endMs: number;
  lastMs: number;
  firstLine: number;
  lastLine: number;
  events: number;
  aliases: string[];
}

const STARTS = new Set([
  'connection',
  'accepted',
  'failed',
  'invalid_user',
  'not_allowed',
  'probe',
  'negotiation_failed',
]);
const REFUSALS = new Set(['failed', 'invalid_user', 'not_allowed', 'too_many_failures']);

/**
 * Folds sshd events, in log order, into one {@link SshSession} per sshd connection. A connection is keyed by host
 * and sshd pid; the post-login child (another pid) joins it through the peer's address and port. A session ends
 * when a new connection starts under its pid, when its grace after the last disconnect has passed (measured in log
 * time, so the result does not depend on when the log is read), or at {@link SessionTracker.flush}. Pure: no I/O.
 */
export class SessionTracker {
  readonly #graceMs: number;
  readonly #idleMs: number;
  readonly #byKey = new Map<string, OpenSession>();
  readonly #byPeer = new Map<string, OpenSession>();
  #lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(options: SessionTrackerOptions = {}) {
    this.#graceMs = options.graceMs ?? 60_000;
    this.#idleMs = options.idleMs ?? 86_400_000;
  }

  /** How many sessions are still open. */
  get open(): number {
    return new Set(this.#byKey.values()).size;
  }

  /** Adds one event; returns the sessions it finished (not the one it belongs to, unless that was finished too). */
  add(event: SshdEvent): SshSession[] {
    const done: SshSession[] = [];
    const ms = Date.parse(event.time);
    if (ms - this.#lastSweepMs >= Math.min(this.#graceMs, this.#idleMs)) {
      this.#sweep(ms, done);
      this.#lastSweepMs = ms;
    }
    const key = keyOf(event);
    let session = this.#byKey.get(key);
    if (
      session !== undefined &&
      (event.event === 'connection' ||
        (STARTS.has(event.event) &&
          ((session.end !== undefined && ms > session.endMs) ||
            (event.source !== undefined && session.source !== undefined && event.source !== session.source))))
    ) {
      // A new connection under a pid seen before: `Connection from`, or an attempt after the disconnect or from
      // another peer (pid reuse).
      done.push(this.#finish(session));
      session = undefined;
    }
    if (session === undefined && event.port !== undefined && event.source !== undefined) {
      session = this.#byPeer.get(peerKey(event.host, event.source, event.port));
      if (session !== undefined && event.event !== 'connection') {
        session.aliases.push(key);
        this.#byKey.set(key, session);
      } else session = undefined;
    }
    if (session === undefined) session = this.#begin(key, event, ms);
    this.#fold(session, event, ms);
    return done;
  }

  /** The id of the open session an event already added belongs to, e.g. to stamp the event with it. */
  sessionIdOf(event: SshdEvent): string | undefined {
    return this.#byKey.get(keyOf(event))?.id;
  }

  /** Finishes and returns every open session (end of input). */
  flush(): SshSession[] {
    const done: SshSession[] = [];
    for (const session of new Set(this.#byKey.values())) done.push(this.#finish(session));
    return done;
  }

  #begin(key: string, event: SshdEvent, ms: number): OpenSession {
    const session: OpenSession = {
      key,
      id: sessionId(event.host, event.pid, ms, event.pid === undefined ? event.source : undefined),
      host: event.host,
      pid: event.pid,
      source: undefined,
      port: undefined,
      users: [],
      methods: [],
      failures: 0,
      refused: false,
      acceptedUser: undefined,
      start: event.time,
      end: undefined,
      endMs: Number.NaN,
      lastMs: ms,
      firstLine: event.line,
      lastLine: event.line,
      events: 0,
      aliases: [],
    };
    this.#byKey.set(key, session);
    return session;
  }

  #fold(session: OpenSession, event: SshdEvent, ms: number): void {
    session.events++;
    session.lastLine = event.line;
    session.lastMs = ms;
    if (session.source === undefined && event.source !== undefined) session.source = event.source;
    if (session.port === undefined && event.port !== undefined && event.source === session.source) {
      session.port = event.port;
      if (session.source !== undefined)
        this.#byPeer.set(peerKey(session.host, session.source, event.port), session);
    }
    const kind = event.event;
    if (
      event.user !== undefined &&
      kind !== 'session_opened' &&
      kind !== 'session_closed' &&
      kind !== 'disconnected'
    ) {
      if (!session.users.includes(event.user) && session.users.length < 32) session.users.push(event.user);
    }
    if (event.method !== undefined && !session.methods.includes(event.method))
      session.methods.push(event.method);
    if (kind === 'failed') session.failures += event.count;
    if (REFUSALS.has(kind)) session.refused = true;
    if (kind === 'accepted') session.acceptedUser = event.user;
    if (kind === 'disconnected' || kind === 'session_closed' || kind === 'too_many_failures') {
      session.end = event.time;
      session.endMs = ms;
    }
  }

  #sweep(nowMs: number, done: SshSession[]): void {
    for (const session of new Set(this.#byKey.values())) {
      const ended = session.end !== undefined && nowMs - session.endMs > this.#graceMs;
      if (ended || nowMs - session.lastMs > this.#idleMs) done.push(this.#finish(session));
    }
  }

  #finish(s: OpenSession): SshSession {
    if (this.#byKey.get(s.key) === s) this.#byKey.delete(s.key);
    for (const alias of s.aliases) if (this.#byKey.get(alias) === s) this.#byKey.delete(alias);
    if (s.source !== undefined && s.port !== undefined) {
      const peer = peerKey(s.host, s.source, s.port);
      if (this.#byPeer.get(peer) === s) this.#byPeer.delete(peer);
    }
    return {
      id: s.id,
      host: s.host,
      pid: s.pid,
      source: s.source,
      port: s.port,
      users: s.users,
      methods: s.methods,
      failures: s.failures,
      outcome: s.acceptedUser !== undefined ? 'accepted' : s.refused ? 'failed' : 'aborted',
      acceptedUser: s.acceptedUser,
      start: s.start,
      end: s.end,
      firstLine: s.firstLine,
      lastLine: s.lastLine,
      events: s.events,
    };
  }
}

function keyOf(event: SshdEvent): string {
  return event.pid === undefined
    ? `${event.host ?? ''} - ${event.source ?? ''}`
    : `${event.host ?? ''} ${event.pid}`;
}

function peerKey(host: string | undefined, source: string, port: number): string {
  return `${host ?? ''} ${source} ${port}`;
}

/** The id of a session: host, sshd pid and the epoch ms of its first event (plus the source when there is no pid). */
export function sessionId(
  host: string | undefined,
  pid: number | undefined,
  startMs: number,
  source?: string,
): string {
  const text = `${host ?? '-'}:${pid ?? '-'}:${startMs}${pid === undefined && source !== undefined ? `:${source}` : ''}`;
  return text.length <= 200 ? text : `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
