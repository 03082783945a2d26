import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers a host adds to enroll itself: its public key and, optionally, the enrollment token. */
export const ENROLLMENT_HEADERS = {
  /** The host's raw 32-byte X25519 public key, base64url; its fingerprint must be the key id header. */
  publicKey: 'Hostwatch-Host-Public-Key',
  /** {@link enrollmentToken} of the host id and key id. */
  token: 'Hostwatch-Enrollment-Token',
} as const;

/**
 * The enrollment token of one host key: base64url HMAC-SHA256 under the shared secret
 * `ENROLLMENT_TOKEN` over `hostwatch-enroll-v1`, the host id and the key id. Bound to the key,
 * so a token seen on the wire cannot enroll any other key or host.
 */
export function enrollmentToken(secret: string, hostId: string, keyId: string): string {
  return createHmac('sha256', secret).update(`hostwatch-enroll-v1\n${hostId}\n${keyId}`).digest('base64url');
}

/** Whether `token` is the enrollment token of host `hostId`'s key `keyId` under `secret`, compared in constant time. */
export function isValidEnrollmentToken(
  secret: string,
  hostId: string,
  keyId: string,
  token: string,
): boolean {
  const expected = Buffer.from(enrollmentToken(secret, hostId, keyId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
