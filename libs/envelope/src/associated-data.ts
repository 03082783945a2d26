/**
 * The associated data AES-GCM authenticates with a message: the version byte, then each field as
 * a 2-byte big-endian length and its UTF-8 bytes, so no two different field lists encode alike.
 */
export function associatedData(version: number, fields: readonly string[]): Buffer {
  let size = 1;
  for (const field of fields) size += 2 + Buffer.byteLength(field, 'utf8');
  const out = Buffer.allocUnsafe(size);
  out[0] = version;
  let at = 1;
  for (const field of fields) {
    const length = out.write(field, at + 2, 'utf8');
    if (length > 0xffff) throw new RangeError('an associated data field is longer than 65535 bytes');
    out.writeUInt16BE(length, at);
    at += 2 + length;
  }
  return out;
}
