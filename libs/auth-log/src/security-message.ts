import type { SecurityEventType } from './security-event.js';

/** What one sudo, su, useradd, userdel, groupadd, groupdel, passwd, chpasswd or usermod message says. */
export interface SecurityMessage {
  readonly type: SecurityEventType;
  readonly user: string | undefined;
  readonly target: string | undefined;
  readonly command: string | undefined;
  readonly tty: string | undefined;
  readonly allowed: boolean | undefined;
  readonly detail: string | undefined;
}

/** Programs whose messages {@link parseSecurityMessage} reads. */
export const SECURITY_PROGRAMS: ReadonlySet<string> = new Set([
  'sudo',
  'su',
  'useradd',
  'userdel',
  'usermod',
  'groupadd',
  'groupdel',
  'passwd',
  'chpasswd',
]);

/** Reads one message of a program in {@link SECURITY_PROGRAMS}; undefined when it is no security event. */
export function parseSecurityMessage(program: string, message: string): SecurityMessage | undefined {
  const msg = message.trim();
  if (msg.startsWith('pam_')) return pamMessage(msg);
  switch (program) {
    case 'sudo':
      return sudo(msg);
    case 'su':
      return su(msg);
    default:
      return accounts(msg);
  }
}

function make(type: SecurityEventType, fields: Partial<Omit<SecurityMessage, 'type'>>): SecurityMessage {
  return {
    type,
    user: fields.user,
    target: fields.target,
    command: fields.command,
    tty: fields.tty,
    allowed: fields.allowed,
    detail: fields.detail,
  };
}

// `pam_unix(passwd:chauthtok): password changed for bob` (also chpasswd); other PAM lines are no event.
function pamMessage(msg: string): SecurityMessage | undefined {
  const close = msg.indexOf('): ');
  if (close < 0 || !msg.startsWith(':chauthtok', close - 10)) return undefined;
  const text = msg.slice(close + 3);
  if (!text.startsWith('password changed for ')) return undefined;
  return make('password_changed', { target: text.slice(21) });
}

/**
 * `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id -u` and, refused,
 * `alice : command not allowed ; TTY=… ; COMMAND=…` (or `user NOT in sudoers`, `3 incorrect password attempts`).
 * COMMAND is last and holds the caller's text, so it takes the rest of the line.
 */
function sudo(msg: string): SecurityMessage | undefined {
  const sep = msg.indexOf(' : ');
  if (sep <= 0) return undefined;
  const user = msg.slice(0, sep);
  let rest = msg.slice(sep + 3);
  const reasons: string[] = [];
  let tty: string | undefined;
  let pwd: string | undefined;
  let target: string | undefined;
  let command: string | undefined;
  while (rest.length > 0) {
    if (rest.startsWith('COMMAND=')) {
      command = rest.slice(8);
      break;
    }
    const end = rest.indexOf(' ; ');
    const part = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? '' : rest.slice(end + 3);
    if (part.startsWith('TTY=')) tty = part.slice(4);
    else if (part.startsWith('PWD=')) pwd = part.slice(4);
    else if (part.startsWith('USER=')) target = part.slice(5);
    else if (/^[A-Z]+=/.test(part)) continue;
    else reasons.push(part);
  }
  if (command === undefined && tty === undefined && target === undefined) return undefined;
  const detail = [...reasons, ...(pwd === undefined ? [] : [`pwd=${pwd}`])].join('; ');
  return make('sudo', {
    user,
    target,
    command,
    tty: tty === 'unknown' ? undefined : tty,
    allowed: reasons.length === 0,
    detail: detail.length > 0 ? detail : undefined,
  });
}

// util-linux: `(to root) alice on pts/0`, `FAILED SU (to root) alice on pts/0`;
// shadow: `Successful su for root by alice`, `FAILED su for root by alice`, `+ pts/0 alice:root`, `- pts/0 alice:root`.
function su(msg: string): SecurityMessage | undefined {
  let allowed = true;
  let text = msg;
  if (text.startsWith('FAILED SU ')) {
    allowed = false;
    text = text.slice(10);
  }
  if (text.startsWith('(to ')) {
    const close = text.indexOf(') ');
    if (close < 0) return undefined;
    const target = text.slice(4, close);
    const rest = text.slice(close + 2);
    const on = rest.lastIndexOf(' on ');
    return make('su', {
      user: on < 0 ? rest : rest.slice(0, on),
      target,
      tty: on < 0 || rest.endsWith(' on none') ? undefined : rest.slice(on + 4),
      allowed,
    });
  }
  const shadow = /^(Successful|FAILED) su for (\S+) by (\S+)$/.exec(msg);
  if (shadow !== null)
    return make('su', { user: shadow[3], target: shadow[2], allowed: shadow[1] === 'Successful' });
  const short = /^([+-]) (\S+) ([^:\s]+):(\S+)$/.exec(msg);
  if (short !== null)
    return make('su', { user: short[3], target: short[4], tty: short[2], allowed: short[1] === '+' });
  return undefined;
}

// shadow's useradd, userdel, groupadd, groupdel, usermod, passwd.
function accounts(msg: string): SecurityMessage | undefined {
  if (msg.startsWith('new user: name=')) return named('user_added', msg, 15);
  if (msg.startsWith('new group: name=')) return named('group_added', msg, 16);
  // useradd and groupadd log `group added to /etc/group: name=…` and `new group: name=…` for one group: the latter counts.
  if (msg.startsWith('group added to ')) return undefined;
  let m = /^delete user '(.*)'$/.exec(msg);
  if (m !== null) return make('user_removed', { target: m[1] });
  m = /^removed group '(.*?)'(?: owned by '.*')?$/.exec(msg);
  if (m !== null) return make('group_removed', { target: m[1] });
  m = /^group '(.*)' removed$/.exec(msg);
  if (m !== null) return make('group_removed', { target: m[1] });
  m = /^password for '(.*)' changed by '(.*)'$/.exec(msg);
  if (m !== null) return make('password_changed', { target: m[1], user: m[2] });
  m = /^change user '(.*)' password$/.exec(msg);
  if (m !== null) return make('password_changed', { target: m[1] });
  return undefined;
}

// `new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/sh, from=/dev/pts/0`.
function named(type: SecurityEventType, msg: string, from: number): SecurityMessage {
  const comma = msg.indexOf(', ', from);
  const target = comma < 0 ? msg.slice(from) : msg.slice(from, comma);
  return make(type, { target, detail: comma < 0 ? undefined : msg.slice(comma + 2) });
}
