import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import { join } from 'node:path';
import { validateMessage } from '@hostwatch/contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatsCollector, type HostOs, type InterfaceAddresses, type StatsSample } from '../../src/index.js';
import { fixture } from './fixtures.js';

const HOST = 'web-01';
const CLOCK = new Date('2026-11-23T19:00:00.000Z');
const EDGE_MOUNTS = [
  '/boot/efi',
  '/srv/data',
  '/mnt/backup disk',
  '/home',
  '/mnt/tab\tand\\back',
  '/mnt/stacked',
];
const INTERFACES: InterfaceAddresses = {
  eth0: [
    {
      address: '192.0.2.7',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '02:fc:00:00:00:07',
      internal: false,
      cidr: '192.0.2.7/24',
    },
  ],
};

/** Completes a sample into the message the agent publishes, as the agent will. */
function message(sample: StatsSample, seq: number): unknown {
  return {
    ...sample.body,
    seq,
    agent: {
      version: '0.1.0',
      unparsedLines: 0,
      unparsedSamples: [],
      spoolDepth: 0,
      spoolFull: false,
      collectorErrors: { ...sample.collectorErrors },
    },
  };
}

function expectValid(sample: StatsSample, seq: number): void {
  const result = validateMessage('stats', HOST, message(sample, seq));
  expect(result.ok ? [] : result.problems).toEqual([]);
}

function failureSummary(sample: StatsSample): string[] {
  return sample.failures.map(({ collector, error }) => `${collector}: ${String(error)}`);
}

async function busyFor(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Spin so the CPU counters move between samples.
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('StatsCollector', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(os.tmpdir(), 'hostwatch-stats-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('samples a procfs fixture tree into valid messages, with CPU usage from the second sample on', async () => {
    const proc = join(work, 'proc');
    const root = join(work, 'root');
    await cp(fixture('proc-edge'), proc, { recursive: true });
    for (const mount of EDGE_MOUNTS) await mkdir(join(root, mount), { recursive: true });
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc', 'os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
    const collector = new StatsCollector({
      hostId: HOST,
      intervalMs: 15_000,
      procRoot: proc,
      sysRoot: fixture('sys-edge'),
      rootPath: root,
      os: { ...os, hostname: () => 'web-01.example.net', networkInterfaces: () => INTERFACES },
      now: () => CLOCK,
    });

    const first = await collector.collect();
    expect(failureSummary(first)).toEqual([]);
    expect(await collector.mode()).toBe('procfs');
    expect(first.body).toMatchObject({
      v: 1,
      kind: 'stats',
      hostId: HOST,
      bootId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      time: '2026-11-23T19:00:00.000Z',
      intervalMs: 15_000,
      hostname: 'web-01.example.net',
      os: 'Debian GNU/Linux 12 (bookworm)',
      addresses: ['192.0.2.7'],
      cpu: { count: 7, cores: [] },
      swap: { totalBytes: 8388604 * 1024, freeBytes: 6291452 * 1024, usedPercent: 25 },
      load: [12.34, 8, 3.5],
      uptimeSeconds: 8640000.25,
      processes: 3,
      network: [
        { name: 'eth0', rxBytes: 98765432101234, txBytes: 1234567890123 },
        { name: 'docker0', rxBytes: 0, txBytes: 1516 },
        { name: 'veth1a2b3c4', rxBytes: 5000, txBytes: 7000 },
      ],
    });
    expect(first.body.cpu).not.toHaveProperty('usedPercent');
    expect(first.body.memory.usedPercent).toBe(60.59);
    expect(first.body.disks.map((disk) => disk.mount)).toEqual(['/', ...EDGE_MOUNTS]);
    expectValid(first, 0);

    await cp(fixture('proc-edge-later', 'stat'), join(proc, 'stat'));
    const second = await collector.collect();
    expect(second.body.cpu).toEqual({ count: 7, usedPercent: 34.14, cores: [40, 10.2, 100, 20, 0] });
    expect(second.collectorErrors).toEqual({});
    expectValid(second, 1);
  });

  it('isolates failing collectors: counted by name, the others still report, the message still valid', async () => {
    const collector = new StatsCollector({
      hostId: HOST,
      procRoot: fixture('proc-broken'),
      sysRoot: work,
      rootPath: work,
    });

    const first = await collector.collect();
    expect([...new Set(first.failures.map((failure) => failure.collector))].sort()).toEqual([
      'disks',
      'load',
      'memory',
      'network',
    ]);
    expect(String(first.failures.find((f) => f.collector === 'memory')?.error)).toMatch(/no MemTotal/);
    expect(first.collectorErrors).toEqual({ disks: 1, load: 1, memory: 1, network: 1 });
    // The collectors that work still report from the fixture tree...
    const bootId = (
      await readFile(fixture('proc-broken', 'sys', 'kernel', 'random', 'boot_id'), 'utf8')
    ).trim();
    expect(first.body.bootId).toBe(bootId);
    expect(first.body.uptimeSeconds).toBeGreaterThan(0);
    expect(first.body.cpu.count).toBe(2);
    // ...and the failed ones fall back to node:os, or to nothing where it knows nothing.
    expect(first.body.memory.totalBytes).toBe(os.totalmem());
    expect(first.body.network).toEqual([]);
    expect(first.body.disks.map((disk) => disk.mount)).toEqual([work]);
    expectValid(first, 0);

    const second = await collector.collect();
    expect(second.collectorErrors).toEqual({ disks: 2, load: 2, memory: 2, network: 2 });
    expectValid(second, 1);
  });

  it('still produces a valid message when every source of a collector fails', async () => {
    await writeFile(join(work, 'stat'), 'not /proc/stat\n');
    const broken = (): never => {
      throw new Error('not available on this host');
    };
    const failingOs: HostOs = {
      hostname: broken,
      type: broken,
      release: broken,
      availableParallelism: broken,
      cpus: broken,
      totalmem: broken,
      freemem: broken,
      loadavg: broken,
      uptime: broken,
      networkInterfaces: broken,
    };
    const collector = new StatsCollector({
      hostId: HOST,
      procRoot: work,
      sysRoot: work,
      rootPath: join(work, 'missing'),
      os: failingOs,
      now: () => CLOCK,
    });
    const sample = await collector.collect();
    expect(Object.keys(sample.collectorErrors).sort()).toEqual([
      'addresses',
      'boot-id',
      'cpu',
      'disks',
      'hostname',
      'load',
      'memory',
      'network',
      'os',
      'uptime',
    ]);
    expect(sample.body).toMatchObject({
      bootId: `agent-${CLOCK.getTime()}`,
      cpu: { count: 1, cores: [] },
      load: [0, 0, 0],
      disks: [],
      processes: 0,
    });
    expectValid(sample, 0);
    expect((await collector.collect()).body.bootId).toBe(`agent-${CLOCK.getTime()}`);
  });

  it('falls back to node:os when there is no /proc/stat', async () => {
    const clock = new Date();
    const collector = new StatsCollector({ hostId: HOST, procRoot: work, rootPath: work, now: () => clock });
    const first = await collector.collect();
    expect(await collector.mode()).toBe('portable');
    expect(failureSummary(first)).toEqual([]);
    expect(first.body.cpu).toEqual({ count: os.cpus().length, cores: [] });
    expect(first.body.memory.totalBytes).toBe(os.totalmem());
    expect(first.body.bootId).toMatch(/^boot-\d+$/);
    expect(first.body).not.toHaveProperty('processes');
    expect(first.body.network).toEqual([]);
    expect(first.body.disks.map((disk) => disk.mount)).toEqual([work]);
    expectValid(first, 0);

    await busyFor(300);
    const second = await collector.collect();
    expect(second.body.bootId).toBe(first.body.bootId);
    expect(second.body.cpu.cores).toHaveLength(os.cpus().length);
    expect(second.body.cpu.usedPercent).toBeGreaterThan(0);
    expectValid(second, 1);
  });

  it("samples this machine's real /proc into valid messages", async () => {
    const collector = new StatsCollector({ hostId: HOST });
    const first = await collector.collect();
    expect(await collector.mode()).toBe('procfs');
    expect(failureSummary(first)).toEqual([]);
    expectValid(first, 0);
    await busyFor(300);
    const second = await collector.collect();
    expect(failureSummary(second)).toEqual([]);
    expectValid(second, 1);

    const body = second.body;
    expect(body.bootId).toBe((await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
    expect(body.cpu.count).toBe(os.cpus().length);
    expect(body.cpu.cores).toHaveLength(os.cpus().length);
    expect(body.cpu.usedPercent).toBeGreaterThan(0);
    expect(body.memory.totalBytes).toBe(os.totalmem());
    expect(body.disks.map((disk) => disk.mount)).toContain('/');
    expect(body.processes).toBeGreaterThan(0);
    expect(body.hostname).toBe(os.hostname());
    expect(body.network.map((entry) => entry.name)).not.toContain('lo');
  });

  it('rejects a bad host id or interval at construction', () => {
    expect(() => new StatsCollector({ hostId: 'web.01' })).toThrow(/separates NATS subject tokens/);
    expect(() => new StatsCollector({ hostId: HOST, intervalMs: 0 })).toThrow(RangeError);
    expect(() => new StatsCollector({ hostId: HOST, intervalMs: 1.5 })).toThrow(/whole number/);
  });
});
