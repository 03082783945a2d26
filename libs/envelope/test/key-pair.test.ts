import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { privateKeyFromRaw, publicKeyFromRaw, rawPrivateKey, rawPublicKey } from '../src/x25519.js';
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

  it('derives public keys as RFC 7748 does (its test vector) and agrees on secrets with OpenSSL-made keys', () => {
    const alice = privateKeyFromRaw(
      Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex'),
    );
    expect(rawPublicKey(alice).toString('hex')).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    expect(rawPrivateKey(alice).toString('hex')).toBe(
      '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
    );
    const ours = generateHostKeyPair('web-01');
    const theirs = generateKeyPairSync('x25519');
    expect(rawPublicKey(ours.privateKey)).toEqual(Buffer.from(ours.publicKey));
    const mine = diffieHellman({ privateKey: ours.privateKey, publicKey: theirs.publicKey });
    const peer = diffieHellman({
      privateKey: theirs.privateKey,
      publicKey: createPublicKey({
        key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), Buffer.from(ours.publicKey)]),
        format: 'der',
        type: 'spki',
      }),
    });
    expect(mine).toEqual(peer);
  });

  it('imports raw public keys that agree on the RFC 7748 shared secret, and refuses other lengths', () => {
    const alice = privateKeyFromRaw(
      Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex'),
    );
    const bobPublic = publicKeyFromRaw(
      Buffer.from('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f', 'hex'),
    );
    expect(rawPublicKey(bobPublic).toString('hex')).toBe(
      'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    );
    expect(diffieHellman({ privateKey: alice, publicKey: bobPublic }).toString('hex')).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
    // A key inside a larger buffer (a view, as NATS hands message bytes over) imports the view only.
    const key = Buffer.from(generateHostKeyPair('view-01').publicKey);
    const inside = Buffer.concat([Buffer.alloc(7, 1), key, Buffer.alloc(5, 2)]);
    expect(rawPublicKey(publicKeyFromRaw(inside.subarray(7, 39)))).toEqual(key);
    expect(() => publicKeyFromRaw(new Uint8Array(31))).toThrow(/32 bytes, not 31/);
  });

  it('generates many key pairs in a row, each its own (a fleet for the load generator)', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) ids.add(generateHostKeyPair(`h${i}`).keyId);
    expect(ids.size).toBe(20_000);
  });

  it('refuses to generate a key for an invalid host id', () => {
    expect(() => generateHostKeyPair('web 01')).toThrow(/white space/);
  });
});
