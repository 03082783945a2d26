import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { percentOf } from './percent.js';
import { readMountInfo } from './mount-info.js';
import { selectRealMounts } from './real-mounts.js';

/** One entry of the `disks` part of a stats message. */
export interface DiskStats {
  readonly mount: string;
  readonly device: string;
  readonly fstype: string;
  readonly totalBytes: number;
  readonly availableBytes: number;
  readonly usedPercent: number;
}

/** The block counts `statfs(2)` returns, as Node reports them with `{ bigint: true }`. */
export interface FilesystemBlocks {
  readonly bsize: bigint;
  readonly blocks: bigint;
  readonly bfree: bigint;
  readonly bavail: bigint;
}

/** A mount whose usage could not be read, and why. */
export interface MountFailure {
  readonly mount: string;
  readonly error: unknown;
}

/** Disk usage of every real mount, and the mounts whose `statfs` failed (the others are still reported). */
export interface DiskReading {
  readonly disks: DiskStats[];
  readonly failures: MountFailure[];
}

/** Most disks a stats message carries. */
export const MAX_DISKS = 1024;

/**
 * Turns `statfs` block counts into sizes in bytes and the used share as `df` computes it: used
 * blocks over used plus those available to unprivileged users, so the blocks reserved for root
 * count as neither. Undefined for a file system without blocks, which holds no disk space.
 */
export function diskUsage(
  blocks: FilesystemBlocks,
): Pick<DiskStats, 'totalBytes' | 'availableBytes' | 'usedPercent'> | undefined {
  if (blocks.blocks <= 0n) return undefined;
  const used = blocks.blocks - blocks.bfree;
  const available = blocks.bavail;
  return {
    totalBytes: Number(blocks.blocks * blocks.bsize),
    availableBytes: Number(available * blocks.bsize),
    usedPercent: percentOf(Number(used), Number(used + available)),
  };
}

/**
 * Reads the usage of every real mount (see {@link selectRealMounts}) of the mount table (see
 * {@link readMountInfo}), calling `statfs` on each mount point resolved under `rootPath` (`/` on
 * a host; where the host's root is mounted when the agent runs in a container).
 */
export async function readDisks(procRoot: string, rootPath: string): Promise<DiskReading> {
  const mounts = selectRealMounts(await readMountInfo(procRoot)).slice(0, MAX_DISKS);
  const disks: DiskStats[] = [];
  const failures: MountFailure[] = [];
  const readings = await Promise.allSettled(
    mounts.map((mount) => statfs(join(rootPath, mount.mountPoint), { bigint: true })),
  );
  readings.forEach((reading, index) => {
    const mount = mounts[index];
    if (!mount) return;
    if (reading.status === 'rejected') {
      failures.push({ mount: mount.mountPoint, error: reading.reason });
      return;
    }
    const usage = diskUsage(reading.value);
    if (!usage) return;
    disks.push({
      mount: mount.mountPoint.slice(0, 4096),
      device: mount.source.slice(0, 4096),
      fstype: mount.fstype.slice(0, 64),
      ...usage,
    });
  });
  return { disks, failures };
}
