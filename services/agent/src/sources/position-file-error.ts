/** A saved read position that exists but cannot be read or understood; the source refuses to guess where to resume. */
export class PositionFileError extends Error {
  override readonly name = 'PositionFileError';
  /** The position file concerned. */
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}
