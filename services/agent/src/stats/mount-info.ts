import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of `/proc/<pid>/mountinfo`: a mount, with escapes (`\040` for a space, …) decoded. */
export interface MountInfo {
  readonly mountId: number;
  readonly parentId: number;
  /** `major:minor` of the file system's device; bind mounts of one file system share it. */
  readonly device: string;
  /** The directory of the file system that is mounted: `/` unless this is a bind mount of a subtree. */
  readonly root: string;
  readonly mountPoint: string;
  readonly fstype: string;
  readonly source: string;
}

/** Decodes the octal escapes the kernel writes for space, tab, newline and backslash in mountinfo fields. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function parseLine(line: string): MountInfo {
  const fields = line.split(' ');
  const separator = fields.indexOf('-', 6);
  const [mountId, parentId, device, root, mountPoint] = fields;
  const fstype = fields[separator + 1];
  const source = fields[separator + 2];
  if (
    separator < 0 ||
    mountId === undefined ||
    parentId === undefined ||
    device === undefined ||
    root === undefined ||
    mountPoint === undefined ||
    fstype === undefined ||
    source === undefined ||
    !/^\d+$/.test(mountId) ||
    !/^\d+$/.test(parentId) ||
    !/^\d+:\d+$/.test(device)
  ) {
    throw new Error(`mountinfo: cannot parse ${JSON.stringify(line.slice(0, 200))}`);
  }
  return {
    mountId: Number(mountId),
    parentId: Number(parentId),
    device,
    root: unescapeMountField(root),
    mountPoint: unescapeMountField(mountPoint),
    fstype: unescapeMountField(fstype),
    source: unescapeMountField(source),
  };
}

/** Parses `/proc/<pid>/mountinfo` (proc(5)), one entry per mount in the order the kernel lists them. */
export function parseMountInfo(text: string): MountInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseLine);
}

/**
 * Reads and parses the mounts of PID 1, as node_exporter does: in a container that shares the
 * host's PID namespace they are the host's, not the container's. Where PID 1's table cannot be
 * read (`hidepid`, a fixture tree) the agent's own, `<procRoot>/self/mountinfo`, is used.
 */
export async function readMountInfo(procRoot: string): Promise<MountInfo[]> {
  let text: string;
  try {
    text = readFileSync(join(procRoot, '1', 'mountinfo'), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'EPERM') throw error;
    text = readFileSync(join(procRoot, 'self', 'mountinfo'), 'utf8');
  }
  return parseMountInfo(text);
}
