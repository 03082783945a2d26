import { describe, expect, it } from 'vitest';
import {
  InvalidHostIdError,
  assertHostId,
  hostIdFromHostname,
  hostIdProblem,
  hostSubjects,
  parseSubject,
  subjectFor,
} from '../src/index.js';

describe('host ids', () => {
  it.each(['web-01', 'db_2', 'A', 'x'.repeat(64)])('accepts %s', (id) => {
    expect(hostIdProblem(id)).toBeUndefined();
  });

  it.each([
    ['web.01', /'\.', which separates NATS subject tokens/],
    ['web*', /wildcard/],
    ['web>', /wildcard/],
    ['web 01', /white space/],
    ['web\t01', /white space/],
    ['', /empty/],
    ['x'.repeat(65), /65 characters long; at most 64/],
    ['wéb', /use letters, digits/],
  ])('rejects %j and says why', (id, why) => {
    expect(hostIdProblem(id)).toMatch(why);
    expect(() => assertHostId(id)).toThrow(InvalidHostIdError);
  });

  it('derives a valid id from a host name', () => {
    expect(hostIdFromHostname('web-01.example.com')).toBe('web-01');
    expect(hostIdFromHostname('my host')).toBe('my-host');
    expect(hostIdProblem(hostIdFromHostname('...'))).toBeUndefined();
  });
});

describe('subjects', () => {
  it('builds hostwatch.<hostId>.<kind> and parses it back', () => {
    expect(subjectFor('web-01', 'stats')).toBe('hostwatch.web-01.stats');
    expect(hostSubjects('web-01')).toBe('hostwatch.web-01.>');
    expect(parseSubject('hostwatch.web-01.ssh')).toEqual({ hostId: 'web-01', kind: 'ssh' });
  });

  it('refuses to build a subject from a host id that would change its shape', () => {
    expect(() => subjectFor('web.01', 'stats')).toThrow(InvalidHostIdError);
    expect(() => subjectFor('*', 'stats')).toThrow(InvalidHostIdError);
  });

  it.each(['hostwatch.web-01', 'other.web-01.stats', 'hostwatch.web-01.logs', 'hostwatch.a.b.stats', 'hostwatch..stats'])(
    'explains why %s is not a hostwatch subject',
    (subject) => {
      expect(parseSubject(subject)).toHaveProperty('problem');
    },
  );
});
