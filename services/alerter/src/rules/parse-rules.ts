import { isIP } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { hostIdProblem } from '@hostwatch/contract';
import { formatDurationText, parseDurationText } from './duration-text.js';
import { RulesError, type RulesProblem } from './rules-error.js';
import {
  CLIENT_ALERT_TYPES,
  FLEET_ALERT_TYPES,
  type AlertRule,
  type AlertType,
  type Client,
  type Fleet,
  type Rules,
  type RulesPosition,
  type RulesWarning,
  type Silence,
} from './rules.js';

/** Largest rules file accepted, in bytes, unless told otherwise. */
export const DEFAULT_MAX_RULES_BYTES = 1024 * 1024;

/** Options of {@link parseRules}. */
export interface ParseRulesOptions {
  /** Name shown in problems (default `rules.xml`). */
  readonly file?: string;
  /** Largest accepted text, in bytes (default {@link DEFAULT_MAX_RULES_BYTES}). */
  readonly maxBytes?: number;
  /** Now, in ms since the epoch, to warn about silences that already expired. */
  readonly now?: number;
}

/** A parsed rules file and its warnings. */
export interface ParsedRules {
  readonly rules: Rules;
  readonly warnings: readonly RulesWarning[];
}

const DEFAULT_REPEAT_MS = 4 * 3_600_000;
const TYPOGRAPHIC_QUOTES = '‘’‚‛“”„‟′″«»';
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type Node = Record<string, unknown>;

function startOf(node: Node): number {
  const meta = (node as Record<symbol, { startIndex?: number } | undefined>)[META];
  return meta?.startIndex ?? 0;
}

interface Element {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly Element[];
  readonly text: string;
  readonly start: number;
}

const CLIENT_ATTRIBUTES = ['ip', 'host', 'mail', 'name', 'port', 'username', 'password'] as const;
const FLEET_ATTRIBUTES = ['mail'] as const;
const SILENCE_ATTRIBUTES = ['from', 'until', 'types', 'comment'] as const;

const ALERT_ATTRIBUTES: Readonly<Record<AlertType, readonly string[]>> = {
  memory: ['type', 'limit', 'clear', 'for', 'repeat'],
  cpu: ['type', 'limit', 'clear', 'for', 'repeat'],
  swap: ['type', 'limit', 'clear', 'for', 'repeat'],
  disk: ['type', 'limit', 'clear', 'for', 'repeat', 'mount'],
  load: ['type', 'limit', 'clear', 'for', 'repeat', 'average'],
  offline: ['type', 'for', 'repeat'],
  'ssh-failures': ['type', 'limit', 'clear', 'window', 'per', 'for', 'repeat'],
  'login-after-failures': ['type', 'limit', 'window', 'repeat'],
  'brute-force': ['type', 'limit', 'clear', 'window', 'for', 'repeat'],
};

const REQUIRED_LIMIT: ReadonlySet<AlertType> = new Set(['memory', 'cpu', 'swap', 'disk', 'load', 'ssh-failures', 'login-after-failures', 'brute-force']);

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length] ?? 0;
}

function suggest(word: string, known: readonly string[]): string {
  const lower = word.toLowerCase().replace(/_/g, '-');
  const best = known
    .map((k) => ({ k, d: k === lower ? 0 : distance(lower, k) }))
    .sort((x, y) => x.d - y.d)[0];
  if (best && best.d <= Math.max(2, Math.floor(best.k.length / 3))) return `; did you mean ${best.k}?`;
  return `; write one of ${known.join(', ')}`;
}

class Positions {
  readonly #lineStarts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.#lineStarts.push(i + 1);
  }
  at(index: number): RulesPosition {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#lineStarts[mid] ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - (this.#lineStarts[lo] ?? 0) + 1 };
  }
  /** Position of attribute `name` inside the tag starting at `start`, else of the tag. */
  attribute(start: number, name: string): RulesPosition {
    const end = this.text.indexOf('>', start);
    const tag = this.text.slice(start, end < 0 ? undefined : end);
    const match = new RegExp(`\\s${name.replace(/[^\w-]/g, '')}\\s*=`).exec(tag);
    return this.at(match ? start + match.index + 1 : start);
  }
}

function toElements(nodes: readonly Node[], problems: (index: number, message: string) => void): Element[] {
  const elements: Element[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined || name === '?xml' || name === '#comment') continue;
    const start = startOf(node);
    if (name === '#text') {
      problems(start, `unexpected text ${JSON.stringify(String(node['#text']).slice(0, 40))}; only elements belong here`);
      continue;
    }
    const rawAttributes = (node[':@'] ?? {}) as Record<string, unknown>;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawAttributes)) attributes[k] = String(v);
    const childNodes = (node[name] ?? []) as Node[];
    const text = childNodes
      .filter((c) => '#text' in c)
      .map((c) => String(c['#text']))
      .join('')
      .trim();
    const children = toElements(
      childNodes.filter((c) => !('#text' in c)),
      problems,
    );
    elements.push({ name, attributes, children, text, start });
  }
  return elements;
}

/**
 * Parses and validates the text of a rules file: the original `<clients><client ip mail><alert
 * type limit/>` format verbatim, plus hostwatch's extensions. Unknown elements or attributes, bad
 * values and duplicate clients are refused, every problem listed with line and column and what
 * to write instead; a DOCTYPE or entity declaration and text over the size cap are refused.
 * Throws {@link RulesError}.
 */
export function parseRules(text: string, options: ParseRulesOptions = {}): ParsedRules {
  const file = options.file ?? 'rules.xml';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_RULES_BYTES;
  const problems: RulesProblem[] = [];
  const warnings: RulesWarning[] = [];
  const positions = new Positions(text);
  const problemAt = (at: RulesPosition, message: string): void => void problems.push({ file, ...at, message });
  const warnAt = (at: RulesPosition, message: string): void => void warnings.push({ file, ...at, message });
  const fail = (): never => {
    throw new RulesError(problems);
  };

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    problemAt({ line: 1, column: 1 }, `the file is ${bytes} bytes; at most ${maxBytes} are accepted (split the fleet or drop unused clients)`);
    fail();
  }
  const declaration = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (declaration) {
    problemAt(
      positions.at(declaration.index),
      `<!${declaration[1]}> is not accepted in a rules file (entities could expand or read files); remove it and write values out`,
    );
    fail();
  }
  const quoted = new RegExp(`([\\w:-]+)\\s*=\\s*([${TYPOGRAPHIC_QUOTES}])([^${TYPOGRAPHIC_QUOTES}"'<>]*)[${TYPOGRAPHIC_QUOTES}]?`, 'g');
  for (const match of text.matchAll(quoted)) {
    problemAt(
      positions.at(match.index),
      `attribute ${match[1]} is quoted with typographic quotes ${match[2]}…${match[2]} (as a word processor or web page writes them); ` +
        `XML needs straight quotes: write ${match[1]}="${match[3] ?? ''}"`,
    );
  }
  if (problems.length > 0) fail();

  const syntax = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (syntax !== true) {
    problemAt({ line: syntax.err.line, column: syntax.err.col }, `${syntax.err.msg.replace(/\.$/, '')} (the file is not well-formed XML)`);
    fail();
  }

  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    captureMetaData: true,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    ignoreDeclaration: false,
    commentPropName: '#comment',
    processEntities: true,
    htmlEntities: false,
  });
  const tree = toElements(parser.parse(text) as Node[], (index, message) => problemAt(positions.at(index), message));
  const root = tree[0];
  if (!root) {
    problemAt({ line: 1, column: 1 }, 'the file has no root element; write <clients> with one <client> per host or group of hosts');
    return fail();
  }
  if (tree.length > 1) problemAt(positions.at(tree[1]?.start ?? 0), 'a second root element; put every <client> inside the one <clients>');

  const attrAt = (element: Element, name: string): RulesPosition => positions.attribute(element.start, name);
  const checkAttributes = (element: Element, allowed: readonly string[]): void => {
    for (const name of Object.keys(element.attributes)) {
      if (!allowed.includes(name)) {
        problemAt(attrAt(element, name), `unknown attribute ${name} on <${element.name}>${suggest(name, allowed)}`);
      }
    }
  };
  const checkText = (element: Element): void => {
    if (element.text) problemAt(positions.at(element.start), `<${element.name}> holds text ${JSON.stringify(element.text.slice(0, 40))}; write settings as attributes`);
  };

  const parseMail = (element: Element): string[] => {
    const raw = element.attributes['mail'];
    if (raw === undefined) {
      problemAt(positions.at(element.start), `<${element.name}> has no mail attribute; write mail="ops@example.com" (several: comma-separated)`);
      return [];
    }
    const addresses = raw.split(/[\s,;]+/).filter((a) => a !== '');
    if (addresses.length === 0) problemAt(attrAt(element, 'mail'), 'mail is empty; write mail="ops@example.com"');
    for (const address of addresses) {
      if (!/^[^\s@<>()"]+@[^\s@<>()"]+$/.test(address)) {
        problemAt(attrAt(element, 'mail'), `mail ${JSON.stringify(address)} is not an e-mail address; write mail="ops@example.com"`);
      }
    }
    return addresses;
  };

  const parseDuration = (element: Element, name: string, fallback: number): number => {
    const raw = element.attributes[name];
    if (raw === undefined) return fallback;
    const ms = parseDurationText(raw);
    if (ms === undefined) {
      problemAt(attrAt(element, name), `${name}="${raw}" is not a duration; write a number with a unit, such as ${name}="30s", "5m", "1h" or "1h30m"`);
      return fallback;
    }
    return ms;
  };

  const parseTime = (element: Element, name: string): number | undefined => {
    const raw = element.attributes[name];
    if (raw === undefined) {
      problemAt(positions.at(element.start), `<${element.name}> needs ${name}; write ${name}="2026-12-24T22:00:00Z" (a time with its zone)`);
      return undefined;
    }
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(ms)) {
      problemAt(attrAt(element, name), `${name}="${raw}" is not a time with a zone; write ${name}="2026-12-24T22:00:00Z" or "2026-12-24T23:00:00+01:00"`);
      return undefined;
    }
    return ms;
  };

  const parseSilence = (element: Element, owner: string, types: readonly string[]): Silence | undefined => {
    checkAttributes(element, SILENCE_ATTRIBUTES);
    checkText(element);
    const from = parseTime(element, 'from');
    const until = parseTime(element, 'until');
    let silenced: AlertType[] | undefined;
    const rawTypes = element.attributes['types'];
    if (rawTypes !== undefined) {
      silenced = [];
      for (const t of rawTypes.split(/[\s,]+/).filter((x) => x !== '')) {
        if (types.includes(t)) silenced.push(t as AlertType);
        else problemAt(attrAt(element, 'types'), `types names ${JSON.stringify(t)}, not an alert type of ${owner}${suggest(t, types)}`);
      }
    }
    if (from === undefined || until === undefined) return undefined;
    const at = positions.at(element.start);
    if (until <= from) {
      problemAt(attrAt(element, 'until'), `until (${new Date(until).toISOString()}) is not after from (${new Date(from).toISOString()}); a silence must end after it starts`);
      return undefined;
    }
    if (options.now !== undefined && until <= options.now) {
      warnAt(at, `this silence ended on ${new Date(until).toISOString()} and mutes nothing; remove it`);
    }
    return { from, until, types: silenced, comment: element.attributes['comment'], at };
  };

  const parseAlert = (element: Element, ownerKey: string, allowedTypes: readonly string[], seen: Map<string, RulesPosition>): AlertRule | undefined => {
    const at = positions.at(element.start);
    checkText(element);
    if (element.children[0]) problemAt(positions.at(element.children[0].start), `<alert> takes no child elements; close it with />`);
    const type = element.attributes['type'];
    if (type === undefined) {
      problemAt(at, `<alert> has no type; write type="${allowedTypes[0] ?? ''}" (one of ${allowedTypes.join(', ')})`);
      return undefined;
    }
    if (!allowedTypes.includes(type)) {
      const elsewhere = (allowedTypes as readonly string[]).includes('memory') && (FLEET_ALERT_TYPES as readonly string[]).includes(type)
        ? `; ${type} watches the whole fleet: put it in <fleet mail="…"> under <clients>`
        : suggest(type, allowedTypes);
      problemAt(attrAt(element, 'type'), `unknown alert type ${JSON.stringify(type)}${elsewhere}`);
      return undefined;
    }
    const alertType = type as AlertType;
    checkAttributes(element, ALERT_ATTRIBUTES[alertType]);

    const rawLimit = element.attributes['limit'];
    const rawClear = element.attributes['clear'];
    let limit = 0;
    let clear: number | undefined;
    let limitText = '';
    const percent = (name: string, raw: string): number | undefined => {
      const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(raw);
      const value = m ? Number(m[1]) : Number.NaN;
      if (!m || value < 0 || value > 100) {
        problemAt(attrAt(element, name), `${name}="${raw}" is not a percentage; write a number from 0 to 100 followed by %, such as ${name}="90%"`);
        return undefined;
      }
      return value;
    };
    const count = (name: string, raw: string, unit: string): number | undefined => {
      if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < 1) {
        problemAt(attrAt(element, name), `${name}="${raw}" is not a whole number of ${unit}; write, for example, ${name}="5"`);
        return undefined;
      }
      return Number(raw);
    };
    const perCore = (name: string, raw: string): number | undefined => {
      if (!/^\s*\d+(\.\d+)?\s*$/.test(raw)) {
        problemAt(attrAt(element, name), `${name}="${raw}" is not a load per core; write a plain number such as ${name}="1.5" (the load average divided by the number of cores)`);
        return undefined;
      }
      return Number(raw);
    };
    if (REQUIRED_LIMIT.has(alertType) && rawLimit === undefined) {
      const example = alertType === 'load' ? '1.5' : ['ssh-failures', 'login-after-failures', 'brute-force'].includes(alertType) ? '5' : '90%';
      problemAt(at, `<alert type="${alertType}"> needs a limit; write limit="${example}"`);
    }
    const windowMs = parseDuration(element, 'window', alertType === 'login-after-failures' ? 3_600_000 : 600_000);
    if (['ssh-failures', 'login-after-failures', 'brute-force'].includes(alertType) && windowMs === 0) {
      problemAt(attrAt(element, 'window'), 'window must be longer than 0; write window="10m"');
    }
    switch (alertType) {
      case 'memory':
      case 'cpu':
      case 'swap':
      case 'disk': {
        if (rawLimit !== undefined) limit = percent('limit', rawLimit) ?? 0;
        if (rawClear !== undefined) clear = percent('clear', rawClear);
        clear ??= Math.max(0, limit - 5);
        limitText = `${limit}%`;
        break;
      }
      case 'load': {
        if (rawLimit !== undefined) limit = perCore('limit', rawLimit) ?? 0;
        if (rawClear !== undefined) clear = perCore('clear', rawClear);
        clear ??= Math.round(limit * 90) / 100;
        limitText = `${limit} per core`;
        break;
      }
      case 'offline': {
        limit = parseDuration(element, 'for', 300_000);
        if (limit === 0) problemAt(attrAt(element, 'for'), 'an offline alert needs a duration; write for="5m" (no stats for that long)');
        clear = limit;
        limitText = `no stats for ${formatDurationText(limit)}`;
        break;
      }
      case 'ssh-failures':
      case 'login-after-failures':
      case 'brute-force': {
        const unit = alertType === 'brute-force' ? 'hosts' : 'failed attempts';
        if (rawLimit !== undefined) limit = count('limit', rawLimit, unit) ?? 1;
        if (rawClear !== undefined) clear = count('clear', rawClear, unit);
        clear ??= limit;
        limitText =
          alertType === 'brute-force'
            ? `one source failing on ${limit} hosts within ${formatDurationText(windowMs)}`
            : alertType === 'login-after-failures'
              ? `a login accepted from a source that failed ${limit} times within ${formatDurationText(windowMs)}`
              : `${limit} failed attempts within ${formatDurationText(windowMs)}`;
        break;
      }
    }
    if (clear !== undefined && clear > limit) {
      problemAt(attrAt(element, 'clear'), `clear (${rawClear}) is above limit (${rawLimit}); the alert resolves when the value falls below clear, so write a clear at or below the limit`);
    }
    const mount = element.attributes['mount'];
    if (mount !== undefined && !mount.startsWith('/')) {
      problemAt(attrAt(element, 'mount'), `mount="${mount}" is not a mount point; write an absolute path such as mount="/var"`);
    }
    const rawPer = element.attributes['per'] ?? 'host';
    if (rawPer !== 'host' && rawPer !== 'source') problemAt(attrAt(element, 'per'), `per="${rawPer}" is not known; write per="host" or per="source"`);
    const rawAverage = element.attributes['average'] ?? '5m';
    const average = ({ '1m': 1, '5m': 5, '15m': 15 } as const)[rawAverage as '1m'];
    if (average === undefined) problemAt(attrAt(element, 'average'), `average="${rawAverage}" is not a load average; write average="1m", "5m" or "15m"`);

    const distinguishing = alertType === 'disk' ? (mount ?? '*') : alertType === 'ssh-failures' ? rawPer : alertType === 'load' ? rawAverage : '';
    const key = `${ownerKey}/${alertType}${distinguishing ? `:${distinguishing}` : ''}`;
    const earlier = seen.get(key);
    if (earlier) {
      problemAt(at, `a second <alert type="${alertType}"${alertType === 'disk' ? ` mount="${mount ?? ''}"` : ''}> for the same owner (the first is at line ${earlier.line}); keep one and adjust its limit`);
      return undefined;
    }
    seen.set(key, at);
    return {
      key,
      type: alertType,
      limit,
      clear: clear ?? limit,
      forMs: alertType === 'offline' || alertType === 'login-after-failures' ? 0 : parseDuration(element, 'for', 0),
      repeatMs: parseDuration(element, 'repeat', DEFAULT_REPEAT_MS),
      windowMs,
      mount,
      per: rawPer === 'source' ? 'source' : 'host',
      average: average ?? 5,
      limitText,
      at,
    };
  };

  const clients: Client[] = [];
  let fleet: Fleet | undefined;
  const clientKeys = new Map<string, RulesPosition>();

  const parseClient = (element: Element): void => {
    const at = positions.at(element.start);
    checkAttributes(element, CLIENT_ATTRIBUTES);
    checkText(element);
    const ip = element.attributes['ip']?.trim();
    const host = element.attributes['host']?.trim();
    if (ip === undefined && host === undefined) {
      problemAt(at, '<client> matches no host; write ip="10.0.0.5" (an address the host reports) or host="web-01" (its host id)');
    }
    if (ip !== undefined && isIP(ip) === 0) problemAt(attrAt(element, 'ip'), `ip="${ip}" is not an IPv4 or IPv6 address; write ip="10.0.0.5", or use host="web-01" for a host id`);
    if (host !== undefined) {
      const problem = hostIdProblem(host);
      if (problem) problemAt(attrAt(element, 'host'), `host="${host}": ${problem}`);
    }
    if (element.attributes['password'] !== undefined) {
      warnAt(attrAt(element, 'password'), 'password is accepted for compatibility with the original format but hostwatch never uses it; remove it from the file');
    }
    const mail = parseMail(element);
    const key = [host === undefined ? '' : `host:${host}`, ip === undefined ? '' : `ip:${ip}`].filter(Boolean).join(',');
    const earlier = clientKeys.get(key);
    if (earlier && key) {
      problemAt(at, `duplicate client ${key} (the first is at line ${earlier.line}); merge their <alert> elements into one <client>`);
      return;
    }
    clientKeys.set(key, at);
    const alerts: AlertRule[] = [];
    const silences: Silence[] = [];
    const seen = new Map<string, RulesPosition>();
    for (const child of element.children) {
      if (child.name === 'alert') {
        const alert = parseAlert(child, `client:${key}`, CLIENT_ALERT_TYPES, seen);
        if (alert) alerts.push(alert);
      } else if (child.name === 'silence') {
        const silence = parseSilence(child, '<client>', CLIENT_ALERT_TYPES);
        if (silence) silences.push(silence);
      } else {
        problemAt(positions.at(child.start), `unknown element <${child.name}> in <client>${suggest(child.name, ['alert', 'silence'])}`);
      }
    }
    clients.push({ key, name: element.attributes['name'], ip, host, mail, alerts, silences, at });
  };

  const parseFleet = (element: Element): void => {
    const at = positions.at(element.start);
    if (fleet) {
      problemAt(at, `a second <fleet> (the first is at line ${fleet.at.line}); put every fleet alert in one <fleet>`);
      return;
    }
    checkAttributes(element, FLEET_ATTRIBUTES);
    checkText(element);
    const mail = parseMail(element);
    const alerts: AlertRule[] = [];
    const silences: Silence[] = [];
    const seen = new Map<string, RulesPosition>();
    for (const child of element.children) {
      if (child.name === 'alert') {
        const alert = parseAlert(child, 'fleet', FLEET_ALERT_TYPES, seen);
        if (alert) alerts.push(alert);
      } else if (child.name === 'silence') {
        const silence = parseSilence(child, '<fleet>', FLEET_ALERT_TYPES);
        if (silence) silences.push(silence);
      } else {
        problemAt(positions.at(child.start), `unknown element <${child.name}> in <fleet>${suggest(child.name, ['alert', 'silence'])}`);
      }
    }
    fleet = { mail, alerts, silences, at };
  };

  if (root.name === 'clients') {
    checkAttributes(root, []);
    checkText(root);
    for (const child of root.children) {
      if (child.name === 'client') parseClient(child);
      else if (child.name === 'fleet') parseFleet(child);
      else problemAt(positions.at(child.start), `unknown element <${child.name}> in <clients>${suggest(child.name, ['client', 'fleet'])}`);
    }
  } else if (root.name === 'client') {
    parseClient(root);
  } else {
    problemAt(positions.at(root.start), `the root element is <${root.name}>; write <clients> around your <client> elements`);
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    fail();
  }
  return { rules: { file, clients, fleet }, warnings };
}
