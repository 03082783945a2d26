import type { Client, Rules } from './rules.js';

interface ClientIndex {
  readonly byHost: ReadonlyMap<string, readonly Client[]>;
  readonly byIp: ReadonlyMap<string, readonly Client[]>;
}

// Built once per loaded rules (they are immutable), so matching is a lookup even for 10,000 clients.
const indexes = new WeakMap<Rules, ClientIndex>();

function indexOf(rules: Rules): ClientIndex {
  let index = indexes.get(rules);
  if (!index) {
    const byHost = new Map<string, Client[]>();
    const byIp = new Map<string, Client[]>();
    for (const c of rules.clients) {
      if (c.host !== undefined) byHost.set(c.host, [...(byHost.get(c.host) ?? []), c]);
      if (c.ip !== undefined) byIp.set(c.ip, [...(byIp.get(c.ip) ?? []), c]);
    }
    index = { byHost, byIp };
    indexes.set(rules, index);
  }
  return index;
}

/** The clients of `rules` that match a host: by its host id (`host`), or by any address it reports (`ip`); in file order. */
export function clientsForHost(rules: Rules, hostId: string, addresses: readonly string[]): Client[] {
  const { byHost, byIp } = indexOf(rules);
  const ofHost = byHost.get(hostId);
  let found: Set<Client> | undefined;
  for (const address of addresses) {
    const ofIp = byIp.get(address);
    if (!ofIp) continue;
    found ??= new Set(ofHost);
    for (const c of ofIp) found.add(c);
  }
  // Most hosts match by one key only: no set to build, and the index already holds file order.
  if (!found) return ofHost ? [...ofHost] : [];
  if (found.size <= 1) return [...found];
  return rules.clients.filter((c) => found.has(c));
}

/** Every distinct address to mail about a host: the union of its clients' `mail`, sorted. */
export function recipientsForHost(rules: Rules, hostId: string, addresses: readonly string[]): string[] {
  return [...new Set(clientsForHost(rules, hostId, addresses).flatMap((c) => c.mail))].sort();
}
