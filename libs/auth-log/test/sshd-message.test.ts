import { describe, expect, it } from 'vitest';
import { SSHD_EVENT_KINDS, parseSshdMessage } from '../src/index.js';
import { CASES } from './sshd-cases.js';

describe('parseSshdMessage', () => {
  it.each(CASES)('$message', (c) => {
    const parsed = parseSshdMessage(c.message);
    expect(parsed).toBeDefined();
    expect(parsed?.event).toBe(c.event);
    for (const field of ['source', 'port', 'user', 'method', 'count'] as const) {
      if (field in c) expect(parsed?.[field], field).toBe(c[field]);
    }
  });

  it('covers every kind of the vocabulary', () => {
    const kinds = new Set(CASES.map((c) => c.event));
    for (const kind of SSHD_EVENT_KINDS) expect(kinds, kind).toContain(kind);
  });

  it('returns undefined for messages sshd is not known to write', () => {
    expect(parseSshdMessage('Frobnicated the widget for 192.0.2.1')).toBeUndefined();
    expect(parseSshdMessage('Failed to frob the widget')).toBeUndefined();
    expect(parseSshdMessage('Invalid user without an address')).toBeUndefined();
  });

  it('reads the forms around the first space after an address or method exactly', () => {
    expect(parseSshdMessage('Received disconnect from 192.0.2.1: 11: Bye')).toMatchObject({
      event: 'disconnected',
      source: '192.0.2.1',
      port: undefined,
    });
    expect(parseSshdMessage('Received disconnect from 2001:db8::1 port 22:11: Bye')).toMatchObject({
      source: '2001:db8::1',
      port: 22,
    });
    expect(parseSshdMessage('Received disconnect from 2001:db8::1: 11: Bye')).toMatchObject({ source: '2001:db8::1' });
    expect(parseSshdMessage('Received disconnect from  192.0.2.1 port 22:11: Bye')).toBeUndefined();
    expect(parseSshdMessage('Received disconnect from 192.0.2.1 via 22:11: Bye')).toBeUndefined();
    expect(parseSshdMessage('Received disconnect from 192.0.2.1')).toBeUndefined();
    expect(parseSshdMessage('Failed password for root from 192.0.2.1 port 22 ssh2')).toMatchObject({
      method: 'password',
      user: 'root',
    });
    expect(parseSshdMessage('Failed  password for root from 192.0.2.1 port 22 ssh2')).toBeUndefined();
    expect(parseSshdMessage('Failed pass word for root from 192.0.2.1 port 22 ssh2')).toBeUndefined();
    expect(parseSshdMessage('Failed password')).toBeUndefined();
    expect(parseSshdMessage('Accepted keyboard-interactive/pam for bob from 192.0.2.1 port 22 ssh2')).toMatchObject({
      method: 'keyboard-interactive',
    });
  });

  it('reads a PAM failure by its fields wherever `ruser=` stands', () => {
    const pam = 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh';
    expect(parseSshdMessage(`${pam} ruser= rhost=192.0.2.1 `)).toMatchObject({ source: '192.0.2.1', user: undefined });
    expect(parseSshdMessage(`${pam} ruser=bob rhost=192.0.2.1`)).toMatchObject({ source: '192.0.2.1', user: 'bob' });
    expect(parseSshdMessage(`${pam} ruser=bob tty=x rhost=192.0.2.1`)).toMatchObject({ user: 'bob tty=x' });
    expect(parseSshdMessage(`${pam} rhost=192.0.2.1  user=alice`)).toMatchObject({ user: 'alice' });
    expect(parseSshdMessage('pam_unix(sshd:auth) x): authentication failure; rhost=192.0.2.1')).toMatchObject({
      source: '192.0.2.1',
    });
    expect(parseSshdMessage('pam_unix(sshd:auth)')).toBeUndefined();
  });

  it('reads `message repeated N times: [ … ]` as N attempts', () => {
    const parsed = parseSshdMessage(
      'message repeated 5 times: [ Failed password for root from 203.0.113.40 port 22 ssh2]',
    );
    expect(parsed).toMatchObject({ event: 'failed', source: '203.0.113.40', user: 'root', count: 5 });
    expect(
      parseSshdMessage(
        'message repeated 2 times: [ pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.41]',
      ),
    ).toMatchObject({ event: 'failed', count: 0 });
  });

  it('strips Solaris, journald-kernel and error prefixes', () => {
    expect(
      parseSshdMessage(
        '[ID 800047 auth.info] Failed keyboard-interactive for james from 203.0.113.42 port 1 ssh2',
      ),
    ).toMatchObject({ event: 'failed', source: '203.0.113.42', user: 'james' });
    expect(
      parseSshdMessage('kernel:[  970.699396]: Failed password for bob from 203.0.113.43 port 2 ssh2'),
    ).toMatchObject({ event: 'failed', source: '203.0.113.43' });
    expect(parseSshdMessage('kernel: [  970.699397] Invalid user eve from 203.0.113.44')).toMatchObject({
      event: 'invalid_user',
      source: '203.0.113.44',
    });
  });

  it('removes the ::ffff: of IPv4-mapped addresses', () => {
    expect(parseSshdMessage('Failed password for root from ::ffff:203.0.113.45 port 22 ssh2')?.source).toBe(
      '203.0.113.45',
    );
    expect(parseSshdMessage('Invalid user x from ::FFFF:203.0.113.46')?.source).toBe('203.0.113.46');
  });
});

describe('attacker-chosen text never moves the blame', () => {
  const REAL = '198.51.100.99';

  it.each([
    `Invalid user x from 10.0.0.1 port 22 from ${REAL} port 4444`,
    `Invalid user x from 10.0.0.1 from ${REAL}`,
    `Failed password for invalid user x from 10.0.0.1 port 22 ssh2 from ${REAL} port 4444 ssh2`,
    `Failed password for invalid user from 10.0.0.1 from ${REAL} port 4444 ssh2`,
    `Failed password for invalid user test from ${REAL} port 4444 ssh2: from 10.0.0.1 port 22 ssh2`,
    `Failed hostbased for bob from ${REAL} port 4444 ssh2: RSA SHA256:x, client user "a from 10.0.0.1 port 22 ssh2", client host "h"`,
    `Accepted password for x from 10.0.0.1 port 22 ssh2 from ${REAL} port 4444 ssh2`,
    `Connection closed by invalid user x from 10.0.0.1 port 22 ssh2 ${REAL} port 4444 [preauth]`,
    `Connection closed by authenticating user test 10.0.0.1 port 12345 ${REAL} port 4444 [preauth]`,
    `Disconnected from invalid user 10.0.0.1 port 22 ${REAL} port 4444 [preauth]`,
    `Received disconnect from ${REAL} port 4444:11: from 10.0.0.1 port 22 [preauth]`,
    `Received disconnect from ${REAL}: 11: Bye from 10.0.0.1 port 22`,
    `Bad protocol version identification 'x from 10.0.0.1 port 22' from ${REAL} port 4444`,
    `Unable to negotiate with ${REAL} port 4444: no matching cipher found. Their offer: from 10.0.0.1 port 22`,
    `error: maximum authentication attempts exceeded for invalid user x from 10.0.0.1 port 22 ssh2 from ${REAL} port 4444 ssh2 [preauth]`,
    `Disconnecting invalid user admin ${REAL} port 4444: Change of username or service not allowed: (admin,ssh-connection) -> (x 10.0.0.1 port 22: ,ssh-connection) [preauth]`,
    `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${REAL}  user=x rhost=10.0.0.1`,
    `error: PAM: Authentication failure for x from 10.0.0.1 from ${REAL}`,
  ])('%s', (message) => {
    expect(parseSshdMessage(message)?.source).toBe(REAL);
  });

  it('keeps the attacker text as the user name', () => {
    expect(
      parseSshdMessage(
        `Failed password for invalid user x from 10.0.0.1 port 22 ssh2 from ${REAL} port 4444 ssh2`,
      )?.user,
    ).toBe('x from 10.0.0.1 port 22 ssh2');
  });

  it('settles the one ambiguous shape with the peer the process named before', () => {
    // User `x from 10.0.0.1 port 22 ssh2:` makes this line read like one with auth info after the address; the
    // `Invalid user` line before it (anchored on its end) named the real peer.
    const line = `Failed password for invalid user x from 10.0.0.1 port 22 ssh2: from ${REAL} port 4444 ssh2`;
    expect(parseSshdMessage(line, REAL)?.source).toBe(REAL);
    expect(parseSshdMessage(line, REAL)?.port).toBe(4444);
  });
});
