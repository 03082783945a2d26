/** Names of the NATS headers a sealed message is published with. */
export const ENVELOPE_HEADERS = {
  /** The message id; JetStream drops a second publish of the same id within its duplicate window. */
  messageId: 'Nats-Msg-Id',
  hostId: 'Hostwatch-Host',
  hostKeyId: 'Hostwatch-Host-Key',
  collectorKeyId: 'Hostwatch-Collector-Key',
} as const;

/**
 * Headers as a consumer has them: a plain record, or anything with `get(name)` such as nats.js
 * `MsgHdrs` (which answers `''` for a missing header).
 */
export type HeaderSource =
  Readonly<Record<string, string | undefined>> | { get(name: string): string | null | undefined };

/** Value of header `name`, or undefined when it is missing or empty. */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  const value =
    typeof headers.get === 'function' ? headers.get(name) : (headers as Record<string, unknown>)[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
