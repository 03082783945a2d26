/** A request the API refuses with a 4xx status; the error handler answers with its status and message. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly statusCode: 400 | 404 | 409,
    message: string,
    /** The field at fault, e.g. `querystring.from`, listed in the 400 body's `fields`. */
    readonly field?: string,
  ) {
    super(field === undefined ? message : `${field} ${message}`);
  }
}
