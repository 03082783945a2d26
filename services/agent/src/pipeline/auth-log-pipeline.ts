import { subjectFor, type SecurityEvent, type SshEvent } from '@hostwatch/contract/light';
import { logMessageId, type Sealer } from '@hostwatch/envelope';
import type { AuthEvent, AuthLogScanner, SessionTracker } from '@hostwatch/auth-log';
import { SpoolFullError } from '../delivery/spool.js';
import type { Delivery } from '../delivery/delivery.js';

/** A position in a log source that can be committed once what was read up to it is acknowledged. */
export interface SourcePosition {
  /** Names the source's content (a file fingerprint, or the journal); a token of message ids. */
  readonly fingerprint: string;
  /** Where the line starts: its byte offset, or its sequence number in the journal. */
  readonly offset: number;
}

/** One line a log source delivered, with its position. */
export interface SourceLine<P extends SourcePosition> {
  readonly text: string;
  readonly position: P;
}

/** What the pipeline reads: batches of lines, and a commit of the position it has delivered up to. */
export interface LogSource<P extends SourcePosition> extends AsyncIterable<readonly SourceLine<P>[]> {
  commit(position: P): Promise<void>;
  stop(): void;
}

/** The part of a pino logger the pipeline writes to. */
export interface PipelineLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of {@link AuthLogPipeline}. */
export interface AuthLogPipelineOptions<P extends SourcePosition> {
  readonly hostId: string;
  readonly source: LogSource<P>;
  readonly scanner: AuthLogScanner;
  readonly sessions: SessionTracker;
  readonly sealer: Sealer;
  readonly delivery: Delivery;
  readonly log: PipelineLog;
  /** Most events in one message (default 200). */
  readonly batchSize?: number;
  /** Longest the first event of a batch waits for more (default 1 s). */
  readonly batchWaitMs?: number;
}

interface Pending<P> {
  ssh: SshEvent[];
  security: SecurityEvent[];
  /** The position just past the last line read: committed once the batch is acknowledged. */
  last: P | undefined;
}

const encoder = new TextEncoder();

function isSshd(event: AuthEvent): event is Extract<AuthEvent, { event: string }> {
  return 'event' in event;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Reads an auth log through the one parser, folds sshd events into sessions, batches them (up to
 * `batchSize` events or `batchWaitMs`), seals each batch and hands it to delivery. Each event's id
 * is derived from the log position of its line, so a re-read after a crash yields the same ids; a
 * message's id names its first and last line, so a re-read that batches differently never
 * collides with a message already stored. The source's position is committed only after the
 * broker acknowledged every message up to it.
 */
export class AuthLogPipeline<P extends SourcePosition> {
  private readonly batchSize: number;
  private readonly batchWaitMs: number;
  private pending: Pending<P> = { ssh: [], security: [], last: undefined };
  private lineNumber = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(private readonly options: AuthLogPipelineOptions<P>) {
    this.batchSize = options.batchSize ?? 200;
    this.batchWaitMs = options.batchWaitMs ?? 1_000;
  }

  /** Lines read so far. */
  get lines(): number {
    return this.lineNumber;
  }

  /** Reads the source until it ends or is stopped, then sends what is left. */
  async run(): Promise<void> {
    for await (const lines of this.options.source) {
      for (const line of lines) this.take(line);
      if (this.pending.ssh.length + this.pending.security.length >= this.batchSize) await this.flush();
      else this.armTimer();
      await this.flushing;
    }
    await this.flush();
  }

  private take(line: SourceLine<P>): void {
    const { hostId, scanner, sessions } = this.options;
    this.lineNumber++;
    this.pending.last = line.position;
    const event = scanner.scan(line.text, this.lineNumber);
    if (!event) return;
    // A message id token allows letters, digits, '-' and '_' (the journal's is `journal:<id>`).
    const source = line.position.fingerprint.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    const at = { hostId, source, offset: line.position.offset };
    if (isSshd(event)) {
      sessions.add(event);
      const session = sessions.sessionIdOf(event) ?? `${event.host ?? hostId}:${event.pid ?? '-'}`;
      this.pending.ssh.push(
        withoutUndefined({
          id: logMessageId({ ...at, kind: 'ssh' }),
          time: event.time,
          event: event.event,
          session,
          logHost: event.host,
          pid: event.pid,
          source: event.source,
          port: event.port,
          user: event.user,
          method: event.method,
          count: event.count,
        }),
      );
    } else {
      this.pending.security.push(
        withoutUndefined({
          id: logMessageId({ ...at, kind: 'event' }),
          time: event.time,
          type: event.type,
          logHost: event.host,
          user: event.user,
          target: event.target,
          command: event.command,
          tty: event.tty,
          allowed: event.allowed,
          detail: event.detail,
        }),
      );
    }
  }

  private armTimer(): void {
    if (this.timer || (this.pending.ssh.length === 0 && this.pending.security.length === 0 && !this.pending.last)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.batchWaitMs);
  }

  /** Seals and sends what is pending; the commit follows the broker's ack. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = { ssh: [], security: [], last: undefined };
    this.flushing = this.flushing.then(() => this.send(batch));
    return this.flushing;
  }

  private async send(batch: Pending<P>): Promise<void> {
    const { hostId, sealer, delivery, source, log } = this.options;
    const last = batch.last;
    if (!last) return;
    const commit = async (): Promise<void> => {
      await source.commit(last);
    };
    const messages: { subject: string; id: string; body: object }[] = [];
    const span = (events: readonly { id: string }[]): string => `${events[0]!.id}-${events.length}`;
    if (batch.ssh.length > 0) {
      messages.push({ subject: subjectFor(hostId, 'ssh'), id: span(batch.ssh), body: { v: 1, kind: 'ssh', hostId, events: batch.ssh } });
    }
    if (batch.security.length > 0) {
      messages.push({
        subject: subjectFor(hostId, 'event'),
        id: span(batch.security),
        body: { v: 1, kind: 'event', hostId, events: batch.security },
      });
    }
    if (messages.length === 0) {
      // Only lines without events: nothing to acknowledge, so the position may move once
      // nothing sent earlier is still waiting for its ack.
      if (this.inFlight === 0 && delivery.backlog === 0) await commit();
      return;
    }
    for (const [i, message] of messages.entries()) {
      const sealed = sealer.seal(message.subject, message.id, encoder.encode(JSON.stringify(message.body)));
      const isLast = i === messages.length - 1;
      this.inFlight++;
      const acked = async (): Promise<void> => {
        this.inFlight--;
        if (isLast) await commit();
      };
      for (;;) {
        try {
          await delivery.send(message.subject, sealed, acked);
          break;
        } catch (err) {
          if (!(err instanceof SpoolFullError)) throw err;
          // The spool is full: hold the input (the log keeps it) and try again shortly.
          log.warn({ subject: message.subject }, 'spool full; holding log input');
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    }
  }

  /** Stops reading; what was read and not acknowledged is read again at the next start. */
  stop(): void {
    this.options.source.stop();
  }
}
