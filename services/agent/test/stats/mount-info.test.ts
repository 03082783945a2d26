import { describe, expect, it } from 'vitest';
import { parseMountInfo, readMountInfo, unescapeMountField } from '../../src/index.js';
import { fixture, fixtureText } from './fixtures.js';

describe('parseMountInfo', () => {
  it('reads every mount of a real mountinfo', async () => {
    const mounts = parseMountInfo(await fixtureText('proc-vm', 'self', 'mountinfo'));
    expect(mounts.find((mount) => mount.mountPoint === '/')).toEqual({
      mountId: 27,
      parentId: 1,
      device: '254:0',
      root: '/',
      mountPoint: '/',
      fstype: 'ext4',
      source: '/dev/vda',
    });
    expect(mounts.map((mount) => mount.fstype)).toContain('cgroup2');
  });

  it('skips optional fields and decodes escaped space, tab and backslash', async () => {
    const mounts = await readMountInfo(fixture('proc-edge'));
    const backup = mounts.find((mount) => mount.mountId === 44);
    expect(backup).toMatchObject({
      mountPoint: '/mnt/backup disk',
      source: '/dev/disk/by-label/backup disk',
    });
    expect(mounts.find((mount) => mount.mountId === 53)?.mountPoint).toBe('/mnt/tab\tand\\back');
    expect(mounts.find((mount) => mount.mountId === 43)).toMatchObject({
      root: '/exports/www',
      device: '259:1',
    });
  });

  it("prefers PID 1's mount table, the host's when the agent's container shares its PID namespace", async () => {
    const mounts = await readMountInfo(fixture('proc-host-pid'));
    expect(mounts.map((mount) => mount.fstype)).toContain('btrfs');
    expect((await readMountInfo(fixture('proc-container'))).map((mount) => mount.mountPoint)).toContain(
      '/data',
    );
  });

  it('decodes a newline', () => {
    expect(unescapeMountField('/mnt/a\\012b')).toBe('/mnt/a\nb');
  });

  it('rejects a line that is not a mount', () => {
    expect(() => parseMountInfo('this line is not a mount\n')).toThrow(/cannot parse/);
    expect(() => parseMountInfo('1 2 8:1 / /x rw shared:1 ext4 /dev/sda rw\n')).toThrow(/cannot parse/);
  });
});
