import { hash, timingSafeEqual } from 'node:crypto';

/** What a bearer token may do: `read` every query, `admin` also change hosts and see the quarantine. */
export type TokenScope = 'read' | 'admin';

interface StoredToken {
  readonly digest: Buffer;
  readonly scope: TokenScope;
}

// The one-shot hash: a third cheaper than a Hash object per request, and the same digest.
const digest = (token: string): Buffer => hash('sha256', token, 'buffer');

/**
 * The API's bearer tokens. Only SHA-256 digests are kept; a presented token is hashed and compared
 * with every stored digest in constant time, so neither its content nor its length leaks through timing.
 */
export class ApiTokens {
  readonly #tokens: readonly StoredToken[];

  constructor(tokens: { readonly read?: readonly string[]; readonly admin?: readonly string[] }) {
    this.#tokens = [
      ...(tokens.read ?? []).map((t) => ({ digest: digest(t), scope: 'read' as const })),
      ...(tokens.admin ?? []).map((t) => ({ digest: digest(t), scope: 'admin' as const })),
    ];
  }

  /** How many tokens are configured. */
  get size(): number {
    return this.#tokens.length;
  }

  /** The scope of `token`, or undefined when it is not one of ours; admin wins if listed twice. */
  scopeOf(token: string): TokenScope | undefined {
    const presented = digest(token);
    let scope: TokenScope | undefined;
    // No early exit: every stored digest is compared whatever matched before.
    for (const stored of this.#tokens) {
      if (timingSafeEqual(presented, stored.digest) && scope !== 'admin') scope = stored.scope;
    }
    return scope;
  }
}
