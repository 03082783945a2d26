import { describe, expect, it } from 'vitest';
import { SSHD_EVENT_KINDS, parseSshdMessage, type SshdEventKind } from '../src/index.js';

interface Case {
  readonly message: string;
  readonly event: SshdEventKind | undefined;
  readonly source?: string;
  readonly port?: number;
  readonly user?: string;
  readonly method?: string;
  readonly count?: number;
}

// One or more messages as OpenSSH (and its PAM modules) writes them, for every kind of the vocabulary.
const CASES: readonly Case[] = [
  {
    message: 'Accepted publickey for alice from 192.0.2.7 port 50022 ssh2: ED25519 SHA256:q6Yh1bX2mB3kz1oN0c',
    event: 'accepted',
    source: '192.0.2.7',
    port: 50022,
    user: 'alice',
    method: 'publickey',
    count: 1,
  },
  {
    message: 'Accepted password for bob from 2001:db8::5 port 41000 ssh2',
    event: 'accepted',
    source: '2001:db8::5',
    port: 41000,
    user: 'bob',
    method: 'password',
  },
  {
    message: 'Accepted keyboard-interactive/pam for carol from 198.51.100.4 port 2222 ssh2',
    event: 'accepted',
    user: 'carol',
    method: 'keyboard-interactive',
  },
  {
    message: 'Failed password for root from 203.0.113.9 port 51234 ssh2',
    event: 'failed',
    source: '203.0.113.9',
    port: 51234,
    user: 'root',
    method: 'password',
    count: 1,
  },
  {
    message: 'Failed password for invalid user oracle from 203.0.113.9 port 51234 ssh2',
    event: 'failed',
    user: 'oracle',
    method: 'password',
  },
  {
    message: 'Failed none for invalid user admin from 203.0.113.10 port 1 ssh2',
    event: 'failed',
    user: 'admin',
    method: 'none',
  },
  {
    message: 'Failed publickey for git from 192.0.2.1 port 57904 ssh2: RSA SHA256:abc',
    event: 'failed',
    source: '192.0.2.1',
    method: 'publickey',
  },
  {
    message: 'Invalid user test from 203.0.113.11 port 40000',
    event: 'invalid_user',
    source: '203.0.113.11',
    port: 40000,
    user: 'test',
  },
  {
    message: 'Invalid user  from 203.0.113.12 port 40001',
    event: 'invalid_user',
    source: '203.0.113.12',
    user: '',
  },
  {
    message: 'User root from 203.0.113.13 not allowed because not listed in AllowUsers',
    event: 'not_allowed',
    source: '203.0.113.13',
    user: 'root',
  },
  {
    message: 'User root not allowed because account is locked',
    event: 'not_allowed',
    source: undefined,
    user: 'root',
  },
  {
    message: 'ROOT LOGIN REFUSED FROM ::ffff:203.0.113.14 port 22 [preauth]',
    event: 'not_allowed',
    source: '203.0.113.14',
    port: 22,
  },
  {
    message: 'refused connect from attacker.example (203.0.113.15)',
    event: 'not_allowed',
    source: '203.0.113.15',
  },
  {
    message: 'drop connection #3 from [203.0.113.16]:51000 on [192.0.2.2]:22 past MaxStartups',
    event: 'not_allowed',
    source: '203.0.113.16',
    port: 51000,
  },
  {
    message:
      'error: maximum authentication attempts exceeded for root from 203.0.113.17 port 4000 ssh2 [preauth]',
    event: 'too_many_failures',
    source: '203.0.113.17',
    port: 4000,
    user: 'root',
  },
  {
    message: 'Disconnecting: Too many authentication failures for git [preauth]',
    event: 'too_many_failures',
    source: undefined,
    user: 'git',
  },
  {
    message:
      'Disconnecting authenticating user root 203.0.113.18 port 4001: Too many authentication failures [preauth]',
    event: 'too_many_failures',
    source: '203.0.113.18',
    user: 'root',
  },
  {
    message: 'Received disconnect from 203.0.113.19 port 4002:11: Bye Bye [preauth]',
    event: 'disconnected',
    source: '203.0.113.19',
    port: 4002,
  },
  {
    message: 'Disconnected from invalid user admin 203.0.113.20 port 4003 [preauth]',
    event: 'disconnected',
    source: '203.0.113.20',
    port: 4003,
    user: 'admin',
  },
  {
    message: 'Disconnected from user alice 192.0.2.7 port 50022',
    event: 'disconnected',
    source: '192.0.2.7',
    user: 'alice',
  },
  {
    message: 'Connection closed by authenticating user root 203.0.113.21 port 4004 [preauth]',
    event: 'disconnected',
    source: '203.0.113.21',
    user: 'root',
  },
  {
    message: 'Connection reset by 203.0.113.22 port 4005 [preauth]',
    event: 'disconnected',
    source: '203.0.113.22',
    port: 4005,
  },
  {
    message: 'Timeout, client not responding from user alice 192.0.2.7 port 50022',
    event: 'disconnected',
    source: '192.0.2.7',
    user: 'alice',
  },
  {
    message: 'Did not receive identification string from 203.0.113.23 port 4006',
    event: 'probe',
    source: '203.0.113.23',
    port: 4006,
  },
  {
    message: "Bad protocol version identification 'GET / HTTP/1.1' from 203.0.113.24 port 4007",
    event: 'probe',
    source: '203.0.113.24',
  },
  {
    message: 'error: kex_exchange_identification: Connection closed by remote host',
    event: 'probe',
    source: undefined,
  },
  {
    message: 'banner exchange: Connection from 203.0.113.25 port 4008: invalid format',
    event: 'probe',
    source: '203.0.113.25',
    port: 4008,
  },
  {
    message: 'fatal: Timeout before authentication for 203.0.113.26 port 4009',
    event: 'probe',
    source: '203.0.113.26',
  },
  {
    message:
      'Unable to negotiate with 203.0.113.27 port 4010: no matching host key type found. Their offer: ssh-rsa [preauth]',
    event: 'negotiation_failed',
    source: '203.0.113.27',
    port: 4010,
  },
  {
    message: 'fatal: no matching cipher found: client aes128-cbc server chacha20-poly1305@openssh.com',
    event: 'negotiation_failed',
  },
  {
    message: 'Connection from 203.0.113.28 port 4011 on 192.0.2.2 port 22 rdomain ""',
    event: 'connection',
    source: '203.0.113.28',
    port: 4011,
  },
  {
    message: 'pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)',
    event: 'session_opened',
    user: 'alice',
  },
  {
    message: 'pam_unix(sshd:session): session closed for user alice',
    event: 'session_closed',
    user: 'alice',
  },
  // PAM's report of an attempt sshd reports again in its own `Failed …` line: counted 0 times.
  {
    message:
      'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.29  user=root',
    event: 'failed',
    source: '203.0.113.29',
    user: 'root',
    count: 0,
  },
  {
    message: 'error: PAM: Authentication failure for james from 203.0.113.30 via 192.0.2.2',
    event: 'failed',
    source: '203.0.113.30',
    user: 'james',
    count: 0,
  },
  // Recognised, no event.
  { message: 'Server listening on 0.0.0.0 port 22.', event: undefined },
  { message: 'pam_unix(sshd:auth): check pass; user unknown', event: undefined },
  {
    message: 'Postponed publickey for git from 192.0.2.1 port 57904 ssh2 [preauth]',
    event: undefined,
    source: '192.0.2.1',
  },
  { message: 'Received signal 15; terminating.', event: undefined },
];

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
