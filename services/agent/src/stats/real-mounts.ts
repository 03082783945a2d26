import type { MountInfo } from './mount-info.js';

/**
 * File system types that hold no disk space of this host: kernel interfaces (proc, sysfs, cgroup…),
 * memory-backed ones (tmpfs, ramfs: they are memory, reported as such), read-only images that
 * are always 100 % full by construction (squashfs snaps, erofs, iso9660), FUSE views of kernel
 * data (lxcfs), and overlay, which on a Docker or Podman host is one mount per container over the
 * same backing disk. A container's own root file system is overlay too: the mount at `/` is
 * always kept, whatever its type.
 */
export const PSEUDO_FILESYSTEM_TYPES: ReadonlySet<string> = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'erofs',
  'fuse.gvfsd-fuse',
  'fuse.lxcfs',
  'fuse.portal',
  'fuse.snapfuse',
  'fusectl',
  'hugetlbfs',
  'iso9660',
  'mqueue',
  'nsfs',
  'nfsd',
  'overlay',
  'proc',
  'pstore',
  'ramfs',
  'rootfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]);

/**
 * File system types whose space lives on another machine. They are left to the agent on that
 * machine: reported by every client they would raise one alert per client, and a `statfs` on an
 * unreachable server blocks a worker thread for minutes.
 */
export const REMOTE_FILESYSTEM_TYPES: ReadonlySet<string> = new Set([
  '9p',
  'afs',
  'ceph',
  'cifs',
  'fuse.glusterfs',
  'fuse.rclone',
  'fuse.s3fs',
  'fuse.sshfs',
  'glusterfs',
  'lustre',
  'ncpfs',
  'nfs',
  'nfs4',
  'smb3',
  'smbfs',
  'virtiofs',
]);

function isReal(mount: MountInfo): boolean {
  if (mount.mountPoint === '/') return true;
  return !PSEUDO_FILESYSTEM_TYPES.has(mount.fstype) && !REMOTE_FILESYSTEM_TYPES.has(mount.fstype);
}

function preferred(a: MountInfo, b: MountInfo): MountInfo {
  // The root file system is reported as `/` even when it is a subvolume mounted whole elsewhere too.
  if ((a.mountPoint === '/') !== (b.mountPoint === '/')) return a.mountPoint === '/' ? a : b;
  // The mount of the whole file system names it better than a bind mount of one of its directories.
  if ((a.root === '/') !== (b.root === '/')) return a.root === '/' ? a : b;
  if (a.mountPoint.length !== b.mountPoint.length) return a.mountPoint.length < b.mountPoint.length ? a : b;
  return a;
}

/**
 * Keeps the mounts that hold local disk space, one per file system: pseudo and remote types are
 * dropped, a mount point mounted over keeps only its top mount, and bind mounts of one device
 * collapse into one: `/` if it is among them, else the mount of the whole file system, else the
 * shortest mount point.
 */
export function selectRealMounts(mounts: readonly MountInfo[]): MountInfo[] {
  const visible = new Map<string, MountInfo>();
  for (const mount of mounts) {
    visible.delete(mount.mountPoint);
    visible.set(mount.mountPoint, mount);
  }
  const byDevice = new Map<string, MountInfo>();
  for (const mount of visible.values()) {
    if (!isReal(mount)) continue;
    const seen = byDevice.get(mount.device);
    byDevice.set(mount.device, seen ? preferred(seen, mount) : mount);
  }
  const chosen = new Set(byDevice.values());
  return [...visible.values()].filter((mount) => chosen.has(mount));
}
