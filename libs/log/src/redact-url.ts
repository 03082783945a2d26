// scheme://user:password@ — the password runs to the last @ before the path, as URL parsers read it.
const USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#,]*):[^\s/?#,]*@/gi;

/** What {@link redactUrl} writes in place of a password. */
export const URL_PASSWORD_MASK = '***';

/**
 * Replaces the password of every `scheme://user:password@host` URL in a text with `***`,
 * keeping the rest (user, host, database) for diagnosis: `postgres://hw:***@db:5432/hostwatch`.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, `$1:${URL_PASSWORD_MASK}@`);
}
