import { formatDurationText } from '../rules/duration-text.js';
import type { AlertRule } from '../rules/rules.js';
import type { AlertTransition } from '../evaluate/alert-step.js';

/** Everything an alert mail tells its reader. */
export interface AlertMailInput {
  readonly transition: AlertTransition;
  readonly rule: AlertRule;
  readonly rulesFile: string;
  /** The host, or undefined for a fleet-wide alert. */
  readonly hostId: string | undefined;
  readonly hostname: string | undefined;
  readonly addresses: readonly string[];
  /** A mount point or source address when the series has one. */
  readonly label: string;
  readonly value: number;
  readonly since: number;
  readonly at: number;
  /** Who the rule belongs to, as the operator wrote it (`client ip 10.0.0.5`, `fleet`). */
  readonly owner: string;
  /** Further lines: sources, users and counts for ssh alerts. */
  readonly details: readonly string[];
}

function formatValue(rule: AlertRule, value: number): string {
  switch (rule.type) {
    case 'memory':
    case 'cpu':
    case 'swap':
    case 'disk':
      return `${Math.round(value * 10) / 10}%`;
    case 'load':
      return `${value} per core`;
    case 'offline':
      return `no stats for ${formatDurationText(Math.round(value / 1000) * 1000)}`;
    case 'brute-force':
      return `${value} hosts`;
    default:
      return `${value} failed attempts`;
  }
}

function what(rule: AlertRule, label: string): string {
  if (rule.type === 'disk') return `disk ${label}`;
  if (rule.type === 'ssh-failures' && label) return `ssh failures from ${label}`;
  if (rule.type === 'login-after-failures') return `login after failures from ${label}`;
  if (rule.type === 'brute-force') return `brute force from ${label}`;
  return rule.type;
}

/** Subject and plain-text body of an alert's firing, repeat or resolved mail. */
export function alertMail(input: AlertMailInput): { subject: string; body: string } {
  const { rule } = input;
  const where = input.hostId ?? 'the fleet';
  const value = formatValue(rule, input.value);
  const head = { firing: 'FIRING', repeat: 'STILL FIRING', resolved: 'RESOLVED' }[input.transition];
  const subject =
    input.transition === 'resolved'
      ? `[hostwatch] ${head}: ${what(rule, input.label)} on ${where} (${rule.type === 'offline' ? 'stats arrive again' : `now ${value}`})`
      : `[hostwatch] ${head}: ${what(rule, input.label)} on ${where}: ${value} (limit ${rule.limitText})`;
  const lines = [
    `${head}: ${what(rule, input.label)} on ${where}`,
    '',
    ...(input.hostId ? [`Host:       ${input.hostId}${input.hostname && input.hostname !== input.hostId ? ` (${input.hostname})` : ''}`] : []),
    ...(input.hostId ? [`Addresses:  ${input.addresses.length > 0 ? input.addresses.join(', ') : '(none reported yet)'}`] : []),
    `Rule:       ${rule.type}, limit ${rule.limitText}${rule.clear !== rule.limit && rule.type !== 'offline' ? `, clears below ${formatValue(rule, rule.clear)}` : ''}${rule.forMs > 0 ? `, for ${formatDurationText(rule.forMs)}` : ''} (${input.owner}, ${input.rulesFile} line ${rule.at.line})`,
    `Value:      ${value}`,
    `Since:      ${new Date(input.since).toISOString()}`,
    input.transition === 'resolved' ? `Resolved:   ${new Date(input.at).toISOString()}` : `Observed:   ${new Date(input.at).toISOString()}`,
    ...(input.transition === 'resolved' ? [] : [`Repeats:    every ${formatDurationText(rule.repeatMs)} while it lasts`]),
    ...(input.details.length > 0 ? ['', ...input.details] : []),
    '',
    '-- ',
    'hostwatch alerter',
  ];
  return { subject, body: `${lines.join('\n')}\n` };
}
