/** A key file that cannot be used: unreadable, not valid, or of the wrong kind. */
export class KeyFileError extends Error {
  override readonly name: string = 'KeyFileError';
  /** The key file concerned. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.path = path;
  }
}

/** A private key file that group or others may access: refused until its mode is 0600. */
export class InsecureKeyFileError extends KeyFileError {
  override readonly name: string = 'InsecureKeyFileError';
  /** The file's permission bits, e.g. `0o644`. */
  readonly mode: number;

  constructor(path: string, mode: number) {
    const octal = mode.toString(8).padStart(4, '0');
    super(
      path,
      `${path} has mode ${octal}, which gives group or others access to this private key; ` +
        `it must be accessible by its owner only: run chmod 600 ${path}`,
    );
    this.mode = mode;
  }
}

/** A key file that exists already and was not to be overwritten. */
export class KeyFileExistsError extends KeyFileError {
  override readonly name: string = 'KeyFileExistsError';

  constructor(path: string) {
    super(path, `${path} exists already; refusing to overwrite a key (use --force to replace it)`);
  }
}
