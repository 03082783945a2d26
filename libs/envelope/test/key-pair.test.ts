import { describe, expect, it } from 'vitest';
import {
  generateCollectorKeyPair,
  generateHostKeyPair,
  isKeyId,
  keyIdOf,
  publicKeyInfo,
} from '../src/index.js';

describe('key pairs and key ids', () => {
  it('names a key by its public key: the first 16 hex characters of SHA-256 of the raw 32 bytes', () => {
    const key = generateHostKeyPair('web-01');
    expect(key.keyId).toBe(keyIdOf(key.publicKey));
    expect(isKeyId(key.keyId)).toBe(true);
    expect(keyIdOf(Buffer.alloc(32))).toBe('66687aadf862bd77');
    expect(generateHostKeyPair('web-01').keyId).not.toBe(key.keyId);
  });

  it('hands out the public half without the private key', () => {
    const key = generateHostKeyPair('web-01');
    const info = publicKeyInfo(key);
    expect(info).toEqual({
      kind: 'host',
      hostId: 'web-01',
      keyId: key.keyId,
      publicKey: key.publicKey,
      createdAt: key.createdAt,
    });
    expect('privateKey' in info).toBe(false);
  });

  it('generates a collector key pair without a host id', () => {
    const key = generateCollectorKeyPair();
    expect(key.kind).toBe('collector');
    expect('hostId' in key).toBe(false);
    expect(key.publicKey).toHaveLength(32);
    expect(publicKeyInfo(key)).toEqual({
      kind: 'collector',
      keyId: keyIdOf(key.publicKey),
      publicKey: key.publicKey,
      createdAt: key.createdAt,
    });
  });

  it('refuses to generate a key for an invalid host id', () => {
    expect(() => generateHostKeyPair('web 01')).toThrow(/white space/);
  });
});
