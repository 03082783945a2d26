import { MAX_BODY_BYTES } from '@hostwatch/contract';
import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_HEADERS,
  ENVELOPE_OVERHEAD,
  EnvelopeError,
  HostMismatchError,
  MAX_SEALED_BYTES,
  MalformedError,
  MemoryKeyRegistry,
  NONCE_BYTES,
  Opener,
  PendingKeyError,
  RevokedKeyError,
  Sealer,
  SubjectMismatchError,
  TamperedError,
  TooLargeError,
  UnknownKeyError,
  generateCollectorKeyPair,
  generateHostKeyPair,
  publicKeyInfo,
  statsMessageId,
  type EnvelopeErrorReason,
  type KeyRegistry,
  type RegisteredKey,
  type SealedMessage,
} from '../src/index.js';

const STATS = 'hostwatch.web-01.stats';
const BOOT = '6f1f8a52-3c1e-4f7b-9a57-0c3d2e1b4a99';

function world() {
  const collector = generateCollectorKeyPair();
  const web01 = generateHostKeyPair('web-01');
  const web02 = generateHostKeyPair('web-02');
  const registry = new MemoryKeyRegistry();
  registry.add(web01);
  registry.add(web02);
  const sealer = new Sealer(web01, publicKeyInfo(collector));
  const opener = new Opener({ collectorKeys: collector, registry });
  return { collector, web01, web02, registry, sealer, opener };
}

function body(text = 'x'.repeat(200)): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, kind: 'stats', hostId: 'web-01', text }));
}

function id(sequence = 1, hostId = 'web-01'): string {
  return statsMessageId({ hostId, bootId: BOOT, sequence });
}

async function refusal(promise: Promise<unknown>): Promise<EnvelopeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EnvelopeError) return err;
    throw err;
  }
  throw new Error('the message opened, but it should have been refused');
}

function refusalSync(fn: () => unknown): EnvelopeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EnvelopeError) return err;
    throw err;
  }
  throw new Error('the message was sealed, but it should have been refused');
}

function expectRefused(
  err: EnvelopeError,
  type: abstract new (...args: never[]) => EnvelopeError,
  reason: EnvelopeErrorReason,
): void {
  expect(err).toBeInstanceOf(type);
  expect(err.reason).toBe(reason);
  expect(err.name).toBe(type.name);
}

function withHeader(sealed: SealedMessage, name: string, value: string | undefined): Record<string, string> {
  const headers = { ...sealed.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return headers;
}

describe('seal and open', () => {
  it('opens what the host sealed: same body, ids from the headers, kind from the subject', async () => {
    const { sealer, opener, web01, collector } = world();
    const plain = body();
    const sealed = sealer.seal(STATS, id(7), plain);

    expect(sealed.data.length).toBe(plain.length + ENVELOPE_OVERHEAD);
    expect(sealed.data[0]).toBe(1);
    expect(Buffer.from(sealed.data).includes(plain.subarray(0, 16))).toBe(false);
    expect(sealed.headers).toEqual({
      'Nats-Msg-Id': id(7),
      'Hostwatch-Host': 'web-01',
      'Hostwatch-Host-Key': web01.keyId,
      'Hostwatch-Collector-Key': collector.keyId,
    });

    const opened = await opener.open(sealed.data, sealed.headers, STATS);
    expect(Buffer.from(opened.body).equals(plain)).toBe(true);
    expect(opened).toMatchObject({
      subject: STATS,
      hostId: 'web-01',
      kind: 'stats',
      messageId: id(7),
      keyId: web01.keyId,
      collectorKeyId: collector.keyId,
    });
  });

  it('opens an empty body and a body of exactly MAX_BODY_BYTES', async () => {
    const { sealer, opener } = world();
    for (const plain of [Buffer.alloc(0), Buffer.alloc(MAX_BODY_BYTES, 7)]) {
      const sealed = sealer.seal(STATS, id(plain.length), plain);
      const opened = await opener.open(sealed.data, sealed.headers, STATS);
      expect(Buffer.from(opened.body).equals(plain)).toBe(true);
    }
  });

  it('uses a fresh random nonce for every message, so the same body seals differently', () => {
    const { sealer } = world();
    const a = sealer.seal(STATS, id(1), body());
    const b = sealer.seal(STATS, id(1), body());
    expect(Buffer.from(a.data.subarray(1, 1 + NONCE_BYTES)).equals(b.data.subarray(1, 1 + NONCE_BYTES))).toBe(
      false,
    );
    expect(Buffer.from(a.data).equals(b.data)).toBe(false);
  });

  it('reads headers from anything with get(), such as nats.js MsgHdrs', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    const map = new Map(Object.entries(sealed.headers));
    const opened = await opener.open(sealed.data, { get: (name: string) => map.get(name) ?? '' }, STATS);
    expect(opened.messageId).toBe(id());
  });

  it('opens bytes handed over as a plain Uint8Array inside a larger buffer, as nats.js delivers them', async () => {
    const { sealer, opener } = world();
    const plain = body();
    const sealed = sealer.seal(STATS, id(), plain);
    const frame = new Uint8Array(sealed.data.length + 100);
    frame.set(sealed.data, 60);
    const data = frame.subarray(60, 60 + sealed.data.length);
    expect(Buffer.isBuffer(data)).toBe(false);
    const opened = await opener.open(data, sealed.headers, STATS);
    expect(Buffer.from(opened.body).equals(plain)).toBe(true);
  });

  it('opens a replay of the same bytes to the same message id, which the database makes a no-op', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(42), body());
    const first = await opener.open(sealed.data, sealed.headers, STATS);
    const again = await opener.open(Buffer.from(sealed.data), { ...sealed.headers }, STATS);
    expect(again.messageId).toBe(first.messageId);
    expect(Buffer.from(again.body).equals(first.body)).toBe(true);
  });
});

describe('tampering', () => {
  it('refuses a flipped bit in any byte of nonce, ciphertext or tag as tampered', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body('short'));
    for (let i = 1; i < sealed.data.length; i++) {
      const data = Buffer.from(sealed.data);
      data[i] = (data[i] ?? 0) ^ 0x01;
      const err = await refusal(opener.open(data, sealed.headers, STATS));
      expectRefused(err, TamperedError, 'tampered');
      expect(err.cause).toBeInstanceOf(Error);
      expect(err).toMatchObject({ hostId: 'web-01', messageId: id() });
    }
  });

  it('binds the message id: the same bytes under another Nats-Msg-Id are tampered', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(1), body());
    const err = await refusal(
      opener.open(sealed.data, withHeader(sealed, ENVELOPE_HEADERS.messageId, id(2)), STATS),
    );
    expectRefused(err, TamperedError, 'tampered');
  });

  it('binds the subject: moved to another kind of the same host, the message is tampered', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    for (const subject of ['hostwatch.web-01.ssh', 'hostwatch.web-01.event']) {
      expectRefused(
        await refusal(opener.open(sealed.data, sealed.headers, subject)),
        TamperedError,
        'tampered',
      );
    }
  });

  it("refuses a message moved to another host's subject as a host mismatch", async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    const err = await refusal(opener.open(sealed.data, sealed.headers, 'hostwatch.web-02.stats'));
    expectRefused(err, HostMismatchError, 'host_mismatch');
  });

  it('refuses a message on a subject that is not a host subject as a subject mismatch', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    for (const subject of ['hostwatch.web-01.stats.extra', 'other.web-01.stats', 'hostwatch.web-01.disk']) {
      const err = await refusal(opener.open(sealed.data, sealed.headers, subject));
      expectRefused(err, SubjectMismatchError, 'subject_mismatch');
    }
  });

  it("refuses a header host id edited to another host's as a host mismatch", async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    const err = await refusal(
      opener.open(sealed.data, withHeader(sealed, ENVELOPE_HEADERS.hostId, 'web-02'), STATS),
    );
    expectRefused(err, HostMismatchError, 'host_mismatch');
  });

  it("refuses web-02's message relabelled as web-01's: unknown key, or tampered under web-01's key id", async () => {
    const { web02, collector, opener, web01 } = world();
    const other = new Sealer(web02, publicKeyInfo(collector));
    const sealed = other.seal('hostwatch.web-02.stats', id(1, 'web-02'), body());
    const relabelled = withHeader(sealed, ENVELOPE_HEADERS.hostId, 'web-01');
    const unknown = await refusal(opener.open(sealed.data, relabelled, STATS));
    expectRefused(unknown, UnknownKeyError, 'unknown_key');

    relabelled[ENVELOPE_HEADERS.hostKeyId] = web01.keyId;
    expectRefused(await refusal(opener.open(sealed.data, relabelled, STATS)), TamperedError, 'tampered');
  });

  it("refuses a forger's key that claims a host: unknown key, or tampered under the host's key id", async () => {
    const { collector, opener, web01 } = world();
    const forger = new Sealer(generateHostKeyPair('web-01'), publicKeyInfo(collector));
    const sealed = forger.seal(STATS, id(), body());
    expectRefused(
      await refusal(opener.open(sealed.data, sealed.headers, STATS)),
      UnknownKeyError,
      'unknown_key',
    );
    const claimed = withHeader(sealed, ENVELOPE_HEADERS.hostKeyId, web01.keyId);
    expectRefused(await refusal(opener.open(sealed.data, claimed, STATS)), TamperedError, 'tampered');
  });

  it('refuses a message sealed to another collector key: unknown key, or tampered when relabelled', async () => {
    const { web01, opener, collector } = world();
    const other = generateCollectorKeyPair();
    const sealed = new Sealer(web01, publicKeyInfo(other)).seal(STATS, id(), body());
    const err = await refusal(opener.open(sealed.data, sealed.headers, STATS));
    expectRefused(err, UnknownKeyError, 'unknown_key');
    expect(err.message).toContain(`collector key ${other.keyId}, which this collector does not hold`);
    const relabelled = withHeader(sealed, ENVELOPE_HEADERS.collectorKeyId, collector.keyId);
    expectRefused(await refusal(opener.open(sealed.data, relabelled, STATS)), TamperedError, 'tampered');
  });
});

describe('malformed and oversized', () => {
  it('refuses truncated bytes (0, 1, 12, 28) as malformed', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    for (const length of [0, 1, 12, 28]) {
      const err = await refusal(opener.open(sealed.data.subarray(0, length), sealed.headers, STATS));
      expectRefused(err, MalformedError, 'malformed');
      expect(err.message).toContain(`${length} bytes`);
    }
  });

  it('refuses an envelope version this build does not know as malformed', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    const data = Buffer.from(sealed.data);
    data[0] = 2;
    const err = await refusal(opener.open(data, sealed.headers, STATS));
    expectRefused(err, MalformedError, 'malformed');
    expect(err.message).toContain('version 2');
  });

  it('refuses missing or invalid headers as malformed, naming every problem', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    for (const name of Object.values(ENVELOPE_HEADERS)) {
      const err = await refusal(opener.open(sealed.data, withHeader(sealed, name, undefined), STATS));
      expectRefused(err, MalformedError, 'malformed');
      expect(err.message).toBe(`header ${name} is missing`);
    }
    const invalid = [
      [ENVELOPE_HEADERS.messageId, 'a\r\nb', 'message id "a\\r\\nb" may contain only'],
      [ENVELOPE_HEADERS.hostId, 'web.01', 'host id "web.01" contains \'.\''],
      [ENVELOPE_HEADERS.hostKeyId, 'XYZ', '"XYZ" is not a key id'],
      [ENVELOPE_HEADERS.collectorKeyId, '0123', '"0123" is not a key id'],
    ] as const;
    for (const [name, value, problem] of invalid) {
      const err = await refusal(opener.open(sealed.data, withHeader(sealed, name, value), STATS));
      expectRefused(err, MalformedError, 'malformed');
      expect(err.message).toContain(`header ${name}: ${problem}`);
    }
    const both = { ...sealed.headers, 'Nats-Msg-Id': 'a b', 'Hostwatch-Host-Key': 'XYZ' };
    const err = await refusal(opener.open(sealed.data, both, STATS));
    expectRefused(err, MalformedError, 'malformed');
    expect(err.message).toContain('header Nats-Msg-Id: message id "a b"');
    expect(err.message).toContain('; header Hostwatch-Host-Key: "XYZ" is not a key id');
    expect(err).toMatchObject({ hostId: 'web-01', keyId: undefined, messageId: undefined });
  });

  it('refuses to seal a body over MAX_BODY_BYTES', () => {
    const { sealer } = world();
    const err = refusalSync(() => sealer.seal(STATS, id(), Buffer.alloc(MAX_BODY_BYTES + 1)));
    expectRefused(err, TooLargeError, 'too_large');
    expect(err.message).toContain(`${MAX_BODY_BYTES + 1} bytes`);
  });

  it('refuses to open sealed bytes over MAX_SEALED_BYTES', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    const big = Buffer.alloc(MAX_SEALED_BYTES + 1);
    big[0] = 1;
    const err = await refusal(opener.open(big, sealed.headers, STATS));
    expectRefused(err, TooLargeError, 'too_large');
  });

  it('refuses to seal on a subject of another host, on a non-host subject, or with an invalid message id', () => {
    const { sealer } = world();
    expectRefused(
      refusalSync(() => sealer.seal('hostwatch.web-02.stats', id(), body())),
      HostMismatchError,
      'host_mismatch',
    );
    expectRefused(
      refusalSync(() => sealer.seal('hostwatch.web-01', id(), body())),
      SubjectMismatchError,
      'subject_mismatch',
    );
    expectRefused(
      refusalSync(() => sealer.seal(STATS, 'has space', body())),
      MalformedError,
      'malformed',
    );
    expectRefused(
      refusalSync(() => sealer.seal(STATS, '', body())),
      MalformedError,
      'malformed',
    );
  });
});

describe('key registry', () => {
  it('refuses a host key id the registry does not know', async () => {
    const { sealer, collector, web02 } = world();
    const registry = new MemoryKeyRegistry();
    registry.add(web02);
    const opener = new Opener({ collectorKeys: collector, registry });
    const sealed = sealer.seal(STATS, id(), body());
    const err = await refusal(opener.open(sealed.data, sealed.headers, STATS));
    expectRefused(err, UnknownKeyError, 'unknown_key');
    expect(err.message).toContain(sealed.headers['Hostwatch-Host-Key']);
  });

  it('refuses a revoked key, also after its message key was derived and cached', async () => {
    const { sealer, opener, registry, web01 } = world();
    const sealed = sealer.seal(STATS, id(), body());
    await opener.open(sealed.data, sealed.headers, STATS);
    registry.setStatus('web-01', web01.keyId, 'revoked');
    const err = await refusal(opener.open(sealed.data, sealed.headers, STATS));
    expectRefused(err, RevokedKeyError, 'revoked_key');
    expect(err).toMatchObject({ hostId: 'web-01', keyId: web01.keyId, messageId: id() });
  });

  it('reports an authentic message under a pending key as pending, and opens it once approved', async () => {
    const { sealer, opener, registry, web01 } = world();
    registry.setStatus('web-01', web01.keyId, 'pending');
    const sealed = sealer.seal(STATS, id(), body());
    const err = await refusal(opener.open(sealed.data, sealed.headers, STATS));
    expectRefused(err, PendingKeyError, 'pending_key');
    expect(err).toMatchObject({ hostId: 'web-01', keyId: web01.keyId });

    const forged = Buffer.from(sealed.data);
    forged[20] = (forged[20] ?? 0) ^ 0xff;
    expectRefused(await refusal(opener.open(forged, sealed.headers, STATS)), TamperedError, 'tampered');

    registry.setStatus('web-01', web01.keyId, 'approved');
    expect((await opener.open(sealed.data, sealed.headers, STATS)).messageId).toBe(id());
  });

  it('refuses a registry answer whose public key is not the key the id names', async () => {
    const { sealer, collector, web01, web02 } = world();
    const liar: KeyRegistry = {
      lookup: (hostId, keyId) =>
        hostId === 'web-01' && keyId === web01.keyId
          ? { publicKey: web02.publicKey, status: 'approved' }
          : undefined,
    };
    const opener = new Opener({ collectorKeys: collector, registry: liar });
    const sealed = sealer.seal(STATS, id(), body());
    expectRefused(
      await refusal(opener.open(sealed.data, sealed.headers, STATS)),
      UnknownKeyError,
      'unknown_key',
    );
  });

  it('awaits an asynchronous registry and passes its failure on unchanged, as transient', async () => {
    const { sealer, collector, web01 } = world();
    const down = new Error('connection refused');
    let failing = true;
    const registry: KeyRegistry = {
      lookup: async (): Promise<RegisteredKey | undefined> => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (failing) throw down;
        return { publicKey: web01.publicKey, status: 'approved' };
      },
    };
    const opener = new Opener({ collectorKeys: collector, registry });
    const sealed = sealer.seal(STATS, id(), body());
    await expect(opener.open(sealed.data, sealed.headers, STATS)).rejects.toBe(down);
    failing = false;
    expect((await opener.open(sealed.data, sealed.headers, STATS)).hostId).toBe('web-01');
  });

  it('opens messages sealed to the old and the new collector key while the collector key rotates', async () => {
    const { web01, registry, collector: old } = world();
    const current = generateCollectorKeyPair();
    const opener = new Opener({ collectorKeys: [current, old], registry });
    for (const collector of [old, current]) {
      const sealed = new Sealer(web01, publicKeyInfo(collector)).seal(STATS, id(), body());
      expect((await opener.open(sealed.data, sealed.headers, STATS)).collectorKeyId).toBe(collector.keyId);
    }
  });
});

describe('message key cache', () => {
  it('derives one message key per host key, however many messages it opens', async () => {
    const { sealer, opener, web02, collector, registry } = world();
    expect(opener.derivations).toBe(0);
    for (let i = 0; i < 50; i++) {
      const sealed = sealer.seal(STATS, id(i), body());
      await opener.open(sealed.data, sealed.headers, STATS);
    }
    expect(opener.derivations).toBe(1);

    const second = new Sealer(web02, publicKeyInfo(collector));
    for (let i = 0; i < 50; i++) {
      const sealed = second.seal('hostwatch.web-02.ssh', id(i, 'web-02'), body());
      await opener.open(sealed.data, sealed.headers, 'hostwatch.web-02.ssh');
    }
    expect(opener.derivations).toBe(2);

    const rotated = generateHostKeyPair('web-01');
    registry.add(rotated);
    const sealed = new Sealer(rotated, publicKeyInfo(collector)).seal(STATS, id(), body());
    expect((await opener.open(sealed.data, sealed.headers, STATS)).keyId).toBe(rotated.keyId);
    expect(opener.derivations).toBe(3);
  });

  it('derives once when the first messages of a key arrive together and the registry answers late', async () => {
    const { sealer, collector, web01 } = world();
    const registry: KeyRegistry = {
      lookup: async (): Promise<RegisteredKey> => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { publicKey: web01.publicKey, status: 'approved' };
      },
    };
    const opener = new Opener({ collectorKeys: collector, registry });
    const batch = Array.from({ length: 20 }, (_, i) => sealer.seal(STATS, id(i), body()));
    const opened = await Promise.all(batch.map((m) => opener.open(m.data, m.headers, STATS)));
    expect(opened.map((m) => m.messageId)).toEqual(batch.map((_, i) => id(i)));
    expect(opener.derivations).toBe(1);
  });

  it('derives nothing for messages refused before their key is needed', async () => {
    const { sealer, opener } = world();
    const sealed = sealer.seal(STATS, id(), body());
    await refusal(opener.open(sealed.data.subarray(0, 12), sealed.headers, STATS));
    await refusal(opener.open(sealed.data, sealed.headers, 'hostwatch.web-02.stats'));
    expect(opener.derivations).toBe(0);
  });
});
