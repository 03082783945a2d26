import { ENVELOPE_HEADERS } from '@hostwatch/envelope';

/** The envelope's four headers of a message; a header it lacks is undefined. */
export type EnvelopeHeaderValues = { readonly [K in (typeof ENVELOPE_HEADERS)[keyof typeof ENVELOPE_HEADERS]]: string | undefined };

const NAMES = [ENVELOPE_HEADERS.messageId, ENVELOPE_HEADERS.hostId, ENVELOPE_HEADERS.hostKeyId, ENVELOPE_HEADERS.collectorKeyId] as const;

// Decodes as nats.js decodes a header block (UTF-8, invalid bytes replaced).
const DECODER = new TextDecoder();

/**
 * The envelope's headers in a NATS header block (`NATS/1.0`, then `Name: value` lines ended by
 * CRLF), as nats.js's `headers.get(name)` answers them: the first line whose name is exactly the
 * header's, its value trimmed. Other lines are skipped, whatever they hold. nats.js decodes a
 * whole block into a map of arrays per message (about 4 KB of garbage for these headers) and
 * refuses a block with a name it finds invalid by throwing; this reads the four names in place
 * and never throws, so a host cannot stop the consumer with a bad header line.
 */
export function envelopeHeadersOf(block: Uint8Array): EnvelopeHeaderValues {
  const text = DECODER.decode(block);
  const found: [string | undefined, string | undefined, string | undefined, string | undefined] = [undefined, undefined, undefined, undefined];
  let missing = NAMES.length;
  // The first line is the status line.
  for (let at = text.indexOf('\r\n'); at !== -1 && missing > 0; ) {
    const start = at + 2;
    const end = text.indexOf('\r\n', start);
    const colon = text.indexOf(':', start);
    at = end;
    if (colon === -1 || (end !== -1 && colon > end)) continue;
    for (let i = 0; i < NAMES.length; i++) {
      const name = NAMES[i]!;
      if (found[i] !== undefined || colon - start !== name.length || !text.startsWith(name, start)) continue;
      found[i] = text.slice(colon + 1, end === -1 ? text.length : end).trim();
      missing -= 1;
      break;
    }
  }
  return { [NAMES[0]]: found[0], [NAMES[1]]: found[1], [NAMES[2]]: found[2], [NAMES[3]]: found[3] } as EnvelopeHeaderValues;
}

/** A message without headers. */
export const NO_ENVELOPE_HEADERS: EnvelopeHeaderValues = envelopeHeadersOf(new Uint8Array(0));
