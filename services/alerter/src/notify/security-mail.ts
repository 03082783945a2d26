/** One queued security event as a mail shows it: an sshd event or another security event of the host. */
export interface SecurityMailEvent {
  readonly kind: 'ssh' | 'event';
  readonly time: string;
  readonly data: Readonly<Record<string, unknown>>;
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function nameOf(e: SecurityMailEvent): string {
  return String(e.kind === 'ssh' ? e.data['event'] : e.data['type']);
}

function countOf(e: SecurityMailEvent): number {
  const n = e.data['count'];
  return typeof n === 'number' && n > 0 ? n : 1;
}

function tally(values: Iterable<[string | undefined, number]>): string {
  const counts = new Map<string, number>();
  for (const [key, n] of values) if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + n);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 10)
    .map(([k, n]) => `${k} (${n})`)
    .join(', ');
}

function line(e: SecurityMailEvent): string {
  const d = e.data;
  const parts = [e.time, nameOf(e).padEnd(18)];
  const add = (label: string, value: unknown): void => {
    const t = text(value);
    if (t !== undefined) parts.push(`${label} ${t}`);
  };
  if (e.kind === 'ssh') {
    add('user', d['user']);
    add('from', d['source']);
    add('port', d['port']);
    add('method', d['method']);
    if (countOf(e) > 1) parts.push(`x${countOf(e)}`);
    add('session', d['session']);
  } else {
    add('user', d['user']);
    add('target', d['target']);
    add('command', d['command']);
    add('tty', d['tty']);
    if (d['allowed'] === false) parts.push('DENIED');
    add('detail', d['detail']);
  }
  return `  ${parts.join('  ')}`;
}

/** Subject and plain-text body of one mail with security events of one host, oldest first. */
export function securityMail(hostId: string, hostname: string | undefined, addresses: readonly string[], events: readonly SecurityMailEvent[]): { subject: string; body: string } {
  const byName = new Map<string, number>();
  for (const e of events) byName.set(nameOf(e), (byName.get(nameOf(e)) ?? 0) + countOf(e));
  const summary = [...byName.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
  const count = events.length;
  const subject = count === 1 && events[0]
    ? `[hostwatch] ${hostId}: ${nameOf(events[0])}${text(events[0].data['user']) ? ` ${String(events[0].data['user'])}` : ''}${text(events[0].data['source']) ? ` from ${String(events[0].data['source'])}` : ''}`
    : `[hostwatch] ${hostId}: ${count} security events (${summary})`;
  const ssh = events.filter((e) => e.kind === 'ssh');
  const lines = [
    `Security events on ${hostId}${hostname && hostname !== hostId ? ` (${hostname})` : ''}`,
    '',
    `Host:       ${hostId}`,
    `Addresses:  ${addresses.length > 0 ? addresses.join(', ') : '(none reported yet)'}`,
    `Events:     ${count} (${summary})`,
    `From:       ${events[0]?.time ?? ''}`,
    `To:         ${events[events.length - 1]?.time ?? ''}`,
    ...(ssh.length > 0
      ? [
          `Sources:    ${tally(ssh.map((e) => [text(e.data['source']), countOf(e)])) || '(none logged)'}`,
          `Users:      ${tally(ssh.map((e) => [text(e.data['user']), countOf(e)])) || '(none logged)'}`,
        ]
      : []),
    '',
    'Each event, oldest first:',
    ...events.map(line),
    '',
    '-- ',
    'hostwatch alerter: every ssh session and security event of this host is mailed once.',
  ];
  return { subject, body: `${lines.join('\n')}\n` };
}
