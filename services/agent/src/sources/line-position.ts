/** Where a delivered line sits: the fingerprint of the file's content and the byte range of the line in it. */
export interface LinePosition {
  /** {@link fingerprintOf} of the file the line was read from: names its content, not its path. */
  readonly fingerprint: string;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
  /** Byte offset just past the line's newline: where reading resumes once this line is committed. */
  readonly nextOffset: number;
}
