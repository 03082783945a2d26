// PostgreSQL's array input syntax: elements in double quotes, `\` and `"` escaped with a backslash,
// an unquoted NULL for null. Every element is quoted, so no value can be taken for NULL or split
// at a comma or brace, whatever it holds.
const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

/**
 * The array literal of `values` (strings, finite numbers, null), for a `$n::type[]` parameter.
 * It does what node-pg does for a JS array in one pass without its per-element type dispatch,
 * and the literal can be handed to several statements of a batch without building it again.
 */
export function pgArrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (typeof v === 'number') out += `"${v}"`;
    else {
      const s = String(v);
      out += NEEDS_ESCAPE.test(s) ? `"${s.replace(ESCAPE, '\\$&')}"` : `"${s}"`;
    }
  }
  return out + '}';
}
