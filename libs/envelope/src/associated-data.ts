/**
 * The associated data AES-GCM authenticates with a message: the version byte, then each field as
 * a 2-byte big-endian length and its bytes, so no two different field lists encode alike. Every
 * field is ASCII (a subject, host id, message id or key id, each checked before it gets here), so
 * one character is one byte.
 */
export function associatedData(version: number, fields: readonly string[]): Buffer {
  let size = 1;
  for (const field of fields) size += 2 + field.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = version;
  let at = 1;
  for (const field of fields) {
    if (field.length > 0xffff) throw new RangeError('an associated data field is longer than 65535 bytes');
    out.writeUInt16BE(field.length, at);
    out.write(field, at + 2, 'latin1');
    at += 2 + field.length;
  }
  return out;
}
