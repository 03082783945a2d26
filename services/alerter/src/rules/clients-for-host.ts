import type { Client, Rules } from './rules.js';

/** The clients of `rules` that match a host: by its host id (`host`), or by any address it reports (`ip`). */
export function clientsForHost(rules: Rules, hostId: string, addresses: readonly string[]): Client[] {
  return rules.clients.filter((c) => (c.host !== undefined && c.host === hostId) || (c.ip !== undefined && addresses.includes(c.ip)));
}

/** Every distinct address to mail about a host: the union of its clients' `mail`, sorted. */
export function recipientsForHost(rules: Rules, hostId: string, addresses: readonly string[]): string[] {
  return [...new Set(clientsForHost(rules, hostId, addresses).flatMap((c) => c.mail))].sort();
}
