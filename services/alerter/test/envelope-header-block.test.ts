import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { ENVELOPE_HEADERS } from '@hostwatch/envelope';
import { ensureTopology } from '@hostwatch/nats';
import { startTestNatsServer } from '@hostwatch/testkit';
import { describe, expect, it } from 'vitest';
import { envelopeHeadersOf, headerBlockOf, ReceivedMessage } from '../src/index.js';

const NAMES = Object.values(ENVELOPE_HEADERS);
// nats.js's header class, as its public `headers()` makes it; its static `decode` is what a received message's headers come from.
const NatsHeaders = natsHeaders().constructor as unknown as { new (): MsgHdrs & { encode(): Uint8Array }; decode(block: Uint8Array): MsgHdrs };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What nats.js's `headers.get(name)` answers for each envelope header of a block, or the error it throws decoding it. */
function natsAnswers(block: Uint8Array): Record<string, string | undefined> | Error {
  try {
    const h = NatsHeaders.decode(block);
    return Object.fromEntries(NAMES.map((name) => [name, h.has(name) ? h.get(name) : undefined]));
  } catch (err) {
    return err as Error;
  }
}

describe('envelope headers read from the header block in place', () => {
  it('answers as nats.js does: the first line of exactly that name, trimmed; other lines skipped', () => {
    const blocks = [
      'NATS/1.0\r\nNats-Msg-Id: h1:boot-1:7\r\nHostwatch-Host: h1\r\nHostwatch-Host-Key: 0123456789abcdef\r\nHostwatch-Collector-Key: fedcba9876543210\r\n\r\n',
      'NATS/1.0\r\nHostwatch-Host:   spaced  \r\nHostwatch-Host: second\r\nNats-Msg-Id:\r\n\r\n',
      'NATS/1.0\r\nhostwatch-host: lower case is another name\r\nHostwatch-Host-Key:a:b:c\r\nNo colon on this line\r\n\r\n',
      'NATS/1.0 503 No Responders\r\n\r\n',
      'NATS/1.0\r\nNats-Msg-Id: m\u00e9ssage\r\nHostwatch-Host: last line without its CRLF',
      'NATS/1.0\r\n\r\n',
      '',
    ];
    for (const text of blocks) {
      const answers = natsAnswers(bytes(text));
      if (answers instanceof Error) throw answers;
      expect(envelopeHeadersOf(bytes(text)), JSON.stringify(text)).toEqual(answers);
    }
    // The same for a block as nats.js encodes it.
    const h = new NatsHeaders();
    h.set(ENVELOPE_HEADERS.messageId, 'h1:boot-1:8');
    h.append(ENVELOPE_HEADERS.hostId, 'h1');
    h.append(ENVELOPE_HEADERS.hostId, 'h2');
    h.set('Other', 'x');
    expect(envelopeHeadersOf(h.encode())).toEqual(natsAnswers(h.encode()));
  });

  it('reads a block nats.js refuses to decode, without throwing: a bad line cannot stop the consumer', () => {
    const text = 'NATS/1.0\r\nBad Name: x\r\nNats-Msg-Id: m1\r\nHostwatch-Host: h1\rsmuggled\r\n\r\n';
    expect(natsAnswers(bytes(text))).toBeInstanceOf(Error);
    // The value with a bare CR is read as it is; the opener then refuses the host id as malformed.
    expect(envelopeHeadersOf(bytes(text))).toEqual({
      [ENVELOPE_HEADERS.messageId]: 'm1',
      [ENVELOPE_HEADERS.hostId]: 'h1\rsmuggled',
      [ENVELOPE_HEADERS.hostKeyId]: undefined,
      [ENVELOPE_HEADERS.collectorKeyId]: undefined,
    });
  });

  it('finds the block of a message delivered by a real server, so the in-place read is the one in use', async () => {
    const server = await startTestNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      await ensureTopology(nc);
      const js = jetstream(nc);
      const h = natsHeaders();
      h.set(ENVELOPE_HEADERS.hostId, 'h1');
      h.set(ENVELOPE_HEADERS.hostKeyId, '0123456789abcdef');
      await js.publish('hostwatch.h1.stats', new Uint8Array([1, 2, 3]), { headers: h, msgID: 'h1:boot-1:1' });
      await js.publish('hostwatch.h2.stats', new Uint8Array([4]));
      const consumer = await js.consumers.get('HOSTWATCH', 'alerter');
      const withHeaders = await consumer.next();
      const without = await consumer.next();
      if (!withHeaders || !without) throw new Error('no messages');
      expect(headerBlockOf(withHeaders)).toBeInstanceOf(Uint8Array);
      const received = new ReceivedMessage(withHeaders, nc);
      expect([received.subject, [...received.data]]).toEqual(['hostwatch.h1.stats', [1, 2, 3]]);
      expect(received.headers).toEqual({ [ENVELOPE_HEADERS.messageId]: 'h1:boot-1:1', [ENVELOPE_HEADERS.hostId]: 'h1', [ENVELOPE_HEADERS.hostKeyId]: '0123456789abcdef', [ENVELOPE_HEADERS.collectorKeyId]: undefined });
      // JetStream adds no headers to a message published without them.
      expect(headerBlockOf(without)).toBeNull();
      expect(new ReceivedMessage(without, nc).headers[ENVELOPE_HEADERS.hostId]).toBeUndefined();
    } finally {
      await nc.close();
      await server.dispose();
    }
  });
});
