import type { NetworkInterfaceInfo } from 'node:os';

/** What `os.networkInterfaces()` returns: the addresses of each interface, by interface name. */
export type InterfaceAddresses = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** Most addresses a stats message carries. */
export const MAX_ADDRESSES = 256;

function isLinkLocal(info: NetworkInterfaceInfo): boolean {
  if (info.family === 'IPv4') return info.address.startsWith('169.254.');
  return /^fe[89ab]/i.test(info.address);
}

/**
 * The addresses by which others may know this host (alert rules match a host by any of them):
 * every non-internal address, without link-local ones, which are not unique across a network,
 * each once, in interface order.
 */
export function hostAddresses(interfaces: InterfaceAddresses): string[] {
  const addresses = new Set<string>();
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal || isLinkLocal(info) || info.address.length > 64) continue;
      addresses.add(info.address);
    }
  }
  return [...addresses].slice(0, MAX_ADDRESSES);
}
