import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '@hostwatch/local-servers';
import { waitFor } from '@hostwatch/local-servers';

/** A mail as the test SMTP server received it: the envelope and the parsed message. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  readonly parsed: ParsedMail;
}

/** A real SMTP server (the `smtp-server` package) on 127.0.0.1 that keeps what it receives. */
export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  readonly mails: readonly ReceivedMail[];
  /** Makes every following transaction fail with this SMTP reply code (e.g. 451 or 550), or succeed again with null. */
  failWith(code: number | null): void;
  /**
   * Withholds the server's reply to every following RCPT TO (`'recipient'`: a server stalling before
   * it has the message) or to the final dot (`'message'`: a server stalling after it took the whole
   * message) until the returned function is called; then the held replies are sent, as if late.
   */
  hold(reply: 'recipient' | 'message'): () => void;
  /** How many whole messages (final dot received) the server took, accepted yet or not. */
  readonly taken: number;
  /** Waits until at least `count` mails arrived and returns them all. */
  waitForMails(count: number, timeoutMs?: number): Promise<readonly ReceivedMail[]>;
  /** Closes the listening socket and open connections. */
  stop(): Promise<void>;
  /** Listens again on the same port (after `stop`). */
  start(): Promise<void>;
}

/** Starts an SMTP server on a free loopback port, without TLS or authentication. */
export async function startSmtpServer(port?: number): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  let failure: number | null = null;
  let holding: 'recipient' | 'message' | null = null;
  const held: (() => void)[] = [];
  let taken = 0;
  const later = (reply: 'recipient' | 'message', go: () => void): void => {
    if (holding === reply) held.push(go);
    else go();
  };
  const listenPort = port ?? (await freePort());
  let server: SMTPServer | undefined;

  const create = (): SMTPServer =>
    new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        later('recipient', () => callback());
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          taken++;
          later('message', () => accept());
        });
        const accept = (): void => {
          if (failure !== null) {
            const err = Object.assign(new Error(`test server refuses with ${failure}`), { responseCode: failure });
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
              mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
              callback();
            })
            .catch((err: Error) => callback(err));
        };
      },
    });

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server = create();
      server.on('error', () => undefined);
      server.server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => resolve());
    });

  await start();
  return {
    host: '127.0.0.1',
    port: listenPort,
    mails,
    failWith: (code) => {
      failure = code;
    },
    hold: (reply) => {
      holding = reply;
      return () => {
        holding = null;
        for (const go of held.splice(0)) go();
      };
    },
    get taken() {
      return taken;
    },
    waitForMails: (count, timeoutMs = 30_000) =>
      waitFor(`${count} mail(s), have ${mails.length}`, () => (mails.length >= count ? mails : undefined), {
        timeoutMs,
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
      }),
    start,
  };
}
