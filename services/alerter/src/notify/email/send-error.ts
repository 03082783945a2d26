/**
 * A mail the SMTP server did not accept. `permanent` (a 5xx reply) means a retry cannot help;
 * anything else (a 4xx reply, a timeout, a refused or dropped connection) is worth retrying.
 */
export class SendError extends Error {
  override readonly name = 'SendError';
  /** Whether retrying is pointless. */
  readonly permanent: boolean;
  /** The SMTP reply code, when the server answered. */
  readonly responseCode: number | undefined;
  /** Whether the whole message had been handed over (final dot sent) when it failed: the server may have accepted it. */
  readonly afterHandover: boolean;

  constructor(message: string, permanent: boolean, responseCode: number | undefined, options?: { cause?: unknown; afterHandover?: boolean }) {
    super(message, options);
    this.permanent = permanent;
    this.responseCode = responseCode;
    this.afterHandover = options?.afterHandover ?? false;
  }
}
