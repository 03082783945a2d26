import type { SshdEventKind } from '../src/index.js';

/** One sshd message and what the parser must make of it. */
export interface Case {
  readonly message: string;
  readonly event: SshdEventKind | undefined;
  readonly source?: string;
  readonly port?: number;
  readonly user?: string;
  readonly method?: string;
  readonly count?: number;
}

// One or more messages as OpenSSH (and its PAM modules) writes them, for every kind of the vocabulary.
export const CASES: readonly Case[] = [
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
