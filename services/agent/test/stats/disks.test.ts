import { mkdir, mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskUsage, readDisks } from '../../src/index.js';
import { fixture } from './fixtures.js';

const EDGE_MOUNTS = [
  '/boot/efi',
  '/srv/data',
  '/mnt/backup disk',
  '/home',
  '/mnt/tab\tand\\back',
  '/mnt/stacked',
];

describe('diskUsage', () => {
  it('computes sizes and the used share as df does, leaving the root reserve out', () => {
    // 1000 blocks of 4 KiB, 300 free of which 250 are available to users: used 700 of 700 + 250.
    expect(diskUsage({ bsize: 4096n, blocks: 1000n, bfree: 300n, bavail: 250n })).toEqual({
      totalBytes: 4_096_000,
      availableBytes: 1_024_000,
      usedPercent: 73.68,
    });
  });

  it('handles a file system larger than 2^53 bytes', () => {
    const usage = diskUsage({ bsize: 4096n, blocks: 2n ** 42n, bfree: 2n ** 41n, bavail: 2n ** 41n });
    expect(usage?.totalBytes).toBe(2 ** 54);
    expect(usage?.usedPercent).toBe(50);
  });

  it('has nothing to say about a file system without blocks', () => {
    expect(diskUsage({ bsize: 4096n, blocks: 0n, bfree: 0n, bavail: 0n })).toBeUndefined();
  });
});

describe('readDisks', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hostwatch-disks-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the usage of every real mount, resolved under the root path', async () => {
    for (const mount of EDGE_MOUNTS) await mkdir(join(root, mount), { recursive: true });
    const reading = await readDisks(fixture('proc-edge'), root);
    expect(reading.failures).toEqual([]);
    expect(reading.disks.map(({ mount, device, fstype }) => ({ mount, device, fstype }))).toEqual([
      { mount: '/', device: '/dev/sda2', fstype: 'ext4' },
      { mount: '/boot/efi', device: '/dev/sda1', fstype: 'vfat' },
      { mount: '/srv/data', device: '/dev/nvme0n1p1', fstype: 'xfs' },
      { mount: '/mnt/backup disk', device: '/dev/disk/by-label/backup disk', fstype: 'ext4' },
      { mount: '/home', device: '/dev/sdb', fstype: 'btrfs' },
      { mount: '/mnt/tab\tand\\back', device: '/dev/nvme2n1', fstype: 'ext4' },
      { mount: '/mnt/stacked', device: '/dev/nvme4n1', fstype: 'ext4' },
    ]);
    // The temp directories all live on the file system of the test's temp dir.
    const expected = diskUsage(await statfs(root, { bigint: true }));
    expect(expected).toBeDefined();
    const first = reading.disks[0];
    expect(first?.totalBytes).toBe(expected?.totalBytes);
    expect(first?.usedPercent).toBeGreaterThanOrEqual(0);
    expect(first?.usedPercent).toBeLessThanOrEqual(100);
  });

  it('reports the mounts it can read when one cannot be', async () => {
    for (const mount of EDGE_MOUNTS.filter((mount) => mount !== '/boot/efi')) {
      await mkdir(join(root, mount), { recursive: true });
    }
    const reading = await readDisks(fixture('proc-edge'), root);
    expect(reading.disks.map((disk) => disk.mount)).not.toContain('/boot/efi');
    expect(reading.disks).toHaveLength(6);
    expect(reading.failures).toHaveLength(1);
    expect(reading.failures[0]?.mount).toBe('/boot/efi');
    expect((reading.failures[0]?.error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
