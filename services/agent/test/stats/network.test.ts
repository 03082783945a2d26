import { describe, expect, it } from 'vitest';
import { parseNetwork, readNetwork } from '../../src/index.js';
import { fixture, fixtureText } from './fixtures.js';

describe('network', () => {
  it('parses every interface of a real /proc/net/dev', async () => {
    const text = await fixtureText('proc-vm', 'net', 'dev');
    const interfaces = parseNetwork(text);
    expect(interfaces.map((entry) => entry.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    const eth0 = /eth0:\s*(\d+)(?:\s+\d+){7}\s+(\d+)/.exec(text);
    expect(interfaces[3]).toEqual({ name: 'eth0', rxBytes: Number(eth0?.[1]), txBytes: Number(eth0?.[2]) });
  });

  it('reads counters glued to the name and past 2^32', async () => {
    const interfaces = parseNetwork(await fixtureText('proc-edge', 'net', 'dev'));
    expect(interfaces[1]).toEqual({ name: 'eth0', rxBytes: 98765432101234, txBytes: 1234567890123 });
  });

  it('leaves out loopback, known from sysfs or, without it, by name', async () => {
    expect((await readNetwork(fixture('proc-edge'), fixture('sys-edge'))).map((entry) => entry.name)).toEqual(
      ['eth0', 'docker0', 'veth1a2b3c4'],
    );
    expect((await readNetwork(fixture('proc-vm'), fixture('sys-vm'))).map((entry) => entry.name)).toEqual([
      'ifb0',
      'ifb1',
      'eth0',
    ]);
    expect(
      (await readNetwork(fixture('proc-vm'), fixture('no-such-sys'))).map((entry) => entry.name),
    ).toEqual(['ifb0', 'ifb1', 'eth0']);
  });

  it('rejects a line it cannot read', () => {
    expect(() => parseNetwork('  eth0: 12 x\n')).toThrow(/cannot parse/);
  });
});
