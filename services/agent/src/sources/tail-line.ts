import type { LinePosition } from './line-position.js';

/** One complete line of a log file (without its newline) and where it was read. */
export interface TailLine {
  readonly text: string;
  readonly position: LinePosition;
  /** The path the bytes were read from: the watched path, or a rotated sibling such as `auth.log.1.gz`. */
  readonly file: string;
}
