import { describe, expect, it } from 'vitest';
import { parseMountInfo, selectRealMounts } from '../../src/index.js';
import { fixtureText } from './fixtures.js';

async function realMountPoints(tree: string): Promise<string[]> {
  return selectRealMounts(parseMountInfo(await fixtureText(tree, 'self', 'mountinfo'))).map(
    (mount) => mount.mountPoint,
  );
}

describe('selectRealMounts', () => {
  it('keeps one mount per local file system of a busy host', async () => {
    // Left out: kernel and memory file systems, the snap (squashfs), the CD (iso9660), Docker's
    // overlay and netns, gvfs and lxcfs, NFS, CIFS and sshfs; /var/www and /mnt/volumes are bind
    // mounts of /srv/data and /; /home/.snapshots is another subvolume of /home's btrfs; the
    // first /mnt/stacked is hidden under the second.
    expect(await realMountPoints('proc-edge')).toEqual([
      '/',
      '/boot/efi',
      '/srv/data',
      '/mnt/backup disk',
      '/home',
      '/mnt/tab\tand\\back',
      '/mnt/stacked',
    ]);
  });

  it('reports the top mount of a stacked mount point', async () => {
    const mounts = selectRealMounts(parseMountInfo(await fixtureText('proc-edge', 'self', 'mountinfo')));
    expect(mounts.find((mount) => mount.mountPoint === '/mnt/stacked')?.source).toBe('/dev/nvme4n1');
  });

  it("keeps a container's overlay root and names its volume by the shortest bind mount", async () => {
    expect(await realMountPoints('proc-container')).toEqual(['/', '/data']);
  });

  it('reports a btrfs root subvolume as / even when the whole file system is mounted elsewhere', () => {
    const text = [
      '30 1 0:33 /@ / rw,relatime shared:1 - btrfs /dev/sda2 rw,subvol=/@',
      '31 30 0:33 / /mnt/pool rw,relatime shared:2 - btrfs /dev/sda2 rw,subvol=/',
      '32 30 0:33 /@home /home rw,relatime shared:3 - btrfs /dev/sda2 rw,subvol=/@home',
    ].join('\n');
    expect(selectRealMounts(parseMountInfo(text)).map((mount) => mount.mountPoint)).toEqual(['/']);
  });

  it('keeps only the disk of this VM', async () => {
    expect(await realMountPoints('proc-vm')).toEqual(['/']);
  });
});
