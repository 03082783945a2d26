import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** An SMTP server that takes a whole message and then never answers: a send caught in the middle. */
export interface HungSmtpServer {
  readonly port: number;
  /** The Message-ID headers of the messages it took. */
  readonly messageIds: readonly string[];
  close(): Promise<void>;
}

/** Starts a {@link HungSmtpServer} on a free loopback port. */
export async function startHungSmtpServer(): Promise<HungSmtpServer> {
  const messageIds: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let data: string | undefined;
    let buffer = '';
    socket.write('220 hung.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (data !== undefined) {
        data += buffer;
        buffer = '';
        if (data.includes('\r\n.\r\n')) {
          const id = /^Message-ID:\s*(\S+)/im.exec(data)?.[1];
          if (id) messageIds.push(id);
        }
        return;
      }
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 hung.test\r\n');
        else if (verb === 'MAIL' || verb === 'RCPT') socket.write('250 OK\r\n');
        else if (verb === 'DATA') {
          socket.write('354 go ahead\r\n');
          data = buffer;
          buffer = '';
          return;
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    messageIds,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
