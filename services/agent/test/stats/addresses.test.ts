import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostAddresses, type InterfaceAddresses } from '../../src/index.js';

const INTERFACES: InterfaceAddresses = {
  lo: [
    {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    },
    {
      address: '::1',
      netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      family: 'IPv6',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '::1/128',
      scopeid: 0,
    },
  ],
  eth0: [
    {
      address: '192.0.2.2',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '02:fc:00:00:00:01',
      internal: false,
      cidr: '192.0.2.2/24',
    },
    {
      address: 'fd00::2',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '02:fc:00:00:00:01',
      internal: false,
      cidr: 'fd00::2/64',
      scopeid: 0,
    },
    {
      address: 'fe80::fc:ff:fe00:1',
      netmask: 'ffff:ffff:ffff:ffff::',
      family: 'IPv6',
      mac: '02:fc:00:00:00:01',
      internal: false,
      cidr: 'fe80::fc:ff:fe00:1/64',
      scopeid: 4,
    },
  ],
  eth1: [
    {
      address: '169.254.10.20',
      netmask: '255.255.0.0',
      family: 'IPv4',
      mac: '02:fc:00:00:00:02',
      internal: false,
      cidr: '169.254.10.20/16',
    },
    {
      address: '10.1.2.3',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '02:fc:00:00:00:02',
      internal: false,
      cidr: '10.1.2.3/8',
    },
  ],
  bond0: [
    {
      address: '10.1.2.3',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '02:fc:00:00:00:03',
      internal: false,
      cidr: '10.1.2.3/8',
    },
  ],
};

describe('hostAddresses', () => {
  it('lists non-internal, non-link-local addresses once, in interface order', () => {
    expect(hostAddresses(INTERFACES)).toEqual(['192.0.2.2', 'fd00::2', '10.1.2.3']);
  });

  it("lists this machine's external addresses", () => {
    const expected = Object.values(networkInterfaces())
      .flatMap((infos) => infos ?? [])
      .filter((info) => !info.internal)
      .map((info) => info.address);
    for (const address of hostAddresses(networkInterfaces())) expect(expected).toContain(address);
  });
});
