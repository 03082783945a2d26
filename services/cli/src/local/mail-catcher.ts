import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A caught mail as listed by the catcher's HTTP endpoint. */
export interface CaughtMail {
  readonly file: string;
  readonly receivedAt: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** A local SMTP server that keeps every mail as an `.eml` file and lists them over HTTP. */
export interface MailCatcher {
  readonly smtpPort: number;
  readonly httpPort: number;
  stop(): Promise<void>;
}

async function listMails(dir: string): Promise<CaughtMail[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  const mails: CaughtMail[] = [];
  for (const file of files) {
    const parsed = await simpleParser(await readFile(join(dir, file)));
    const to = parsed.to ? (Array.isArray(parsed.to) ? parsed.to : [parsed.to]).flatMap((a) => a.value) : [];
    mails.push({
      file,
      receivedAt: (parsed.date ?? new Date(0)).toISOString(),
      from: parsed.from?.text ?? '',
      to: to.map((a) => a.address ?? ''),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
    });
  }
  return mails;
}

function page(mails: readonly CaughtMail[]): string {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const items = mails
    .map((m) => `<article><h2>${esc(m.subject)}</h2><p>${esc(m.from)} → ${esc(m.to.join(', '))} · ${esc(m.receivedAt)}</p><pre>${esc(m.text)}</pre></article>`)
    .reverse()
    .join('\n');
  return `<!doctype html><meta charset="utf-8"><title>hostwatch mail catcher</title><h1>Caught mail (${mails.length})</h1>${items || '<p>No mail yet.</p>'}`;
}

/** Starts the catcher: SMTP on `smtpPort`, the list on `http://127.0.0.1:<httpPort>/` (JSON at `/mails`). */
export async function startMailCatcher(dir: string, smtpPort: number, httpPort: number): Promise<MailCatcher> {
  await mkdir(dir, { recursive: true });
  let sequence = (await readdir(dir)).length;
  const smtp = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'local' }),
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++sequence).padStart(6, '0')}.eml`;
        writeFile(join(dir, name), Buffer.concat(chunks)).then(() => callback(), callback);
      });
    },
  });
  const http: Server = createServer((req, res) => {
    listMails(dir)
      .then((mails) => {
        if (req.url === '/mails') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mails));
        } else {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(mails));
        }
      })
      .catch((err: Error) => res.writeHead(500).end(err.message));
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(smtpPort, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(httpPort, '127.0.0.1', () => resolve());
  });
  return {
    smtpPort,
    httpPort,
    stop: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
