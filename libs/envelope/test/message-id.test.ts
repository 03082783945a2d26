import { describe, expect, it } from 'vitest';
import {
  MESSAGE_ID_MAX_LENGTH,
  logMessageId,
  logSourceFingerprint,
  messageIdProblem,
  statsMessageId,
} from '../src/index.js';

const BOOT = '6f1f8a52-3c1e-4f7b-9a57-0c3d2e1b4a99';

describe('message ids', () => {
  it('derives a log message id from host, kind, source and offset, the same on every read', () => {
    const source = logSourceFingerprint('/var/log/auth.log\0dev=2049\0ino=131090');
    expect(source).toMatch(/^[0-9a-f]{16}$/);
    const at = { hostId: 'web-01', kind: 'ssh', source, offset: 40_960 } as const;
    expect(logMessageId(at)).toBe(`web-01.ssh.${source}.40960`);
    expect(logMessageId({ ...at })).toBe(logMessageId(at));
    expect(logMessageId({ ...at, kind: 'event' })).not.toBe(logMessageId(at));
    expect(logMessageId({ ...at, offset: 40_961 })).not.toBe(logMessageId(at));
    expect(logMessageId({ ...at, hostId: 'web-02' })).not.toBe(logMessageId(at));
  });

  it('derives a stats message id from host, boot and sequence', () => {
    expect(statsMessageId({ hostId: 'web-01', bootId: BOOT, sequence: 12 })).toBe(`web-01.stats.${BOOT}.12`);
    expect(statsMessageId({ hostId: 'web-01', bootId: BOOT, sequence: 13 })).not.toBe(
      statsMessageId({ hostId: 'web-01', bootId: BOOT, sequence: 12 }),
    );
  });

  it('gives ids that are valid message ids (NATS header values) even at the longest inputs', () => {
    const hostId = 'h'.repeat(64);
    const longest = [
      logMessageId({ hostId, kind: 'event', source: 's'.repeat(64), offset: Number.MAX_SAFE_INTEGER }),
      statsMessageId({ hostId, bootId: 'b'.repeat(64), sequence: Number.MAX_SAFE_INTEGER }),
    ];
    for (const id of longest) {
      expect(messageIdProblem(id)).toBeUndefined();
      expect(id.length).toBeLessThanOrEqual(MESSAGE_ID_MAX_LENGTH);
    }
  });

  it('refuses inputs that would make an ambiguous or invalid id', () => {
    expect(() => logMessageId({ hostId: 'web.01', kind: 'ssh', source: 'abc', offset: 0 })).toThrow(
      /host id/,
    );
    expect(() => logMessageId({ hostId: 'web-01', kind: 'ssh', source: 'a.b', offset: 0 })).toThrow(
      /log source/,
    );
    expect(() => logMessageId({ hostId: 'web-01', kind: 'ssh', source: 'abc', offset: -1 })).toThrow(
      /offset/,
    );
    expect(() => statsMessageId({ hostId: 'web-01', bootId: 'x y', sequence: 1 })).toThrow(/boot id/);
    expect(() => statsMessageId({ hostId: 'web-01', bootId: BOOT, sequence: 1.5 })).toThrow(/sequence/);
  });

  it('says why a string cannot be a message id', () => {
    expect(messageIdProblem('')).toBe('message id is empty');
    expect(messageIdProblem('x'.repeat(MESSAGE_ID_MAX_LENGTH + 1))).toContain('at most 200');
    expect(messageIdProblem('a\nb')).toContain('may contain only');
    expect(messageIdProblem('web-01.stats:1_2')).toBeUndefined();
  });
});
