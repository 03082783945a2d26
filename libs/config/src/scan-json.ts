/** A top-level key of a JSON object with where its key and its value start in the text. */
export interface JsonMember {
  readonly key: string;
  readonly keyOffset: number;
  readonly valueOffset: number;
}

/** A JSON text read for its positions: the syntax error offset, or the top-level members in order. */
export type JsonScan =
  | { readonly ok: false; readonly errorOffset: number }
  | { readonly ok: true; readonly members: readonly JsonMember[] };

class JsonSyntax extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/**
 * Walks JSON text to find where things are, which JSON.parse does not tell: the offset of the
 * first syntax error, or the offsets of each top-level object member (duplicates included).
 */
export function scanJson(text: string): JsonScan {
  let pos = 0;
  const members: JsonMember[] = [];
  const space = (): void => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos] ?? '')) pos++;
  };
  const match = (pattern: RegExp): string => {
    pattern.lastIndex = pos;
    const found = pattern.exec(text);
    if (found === null) throw new JsonSyntax(pos);
    pos += found[0].length;
    return found[0];
  };
  const expect = (char: string): void => {
    if (text[pos] !== char) throw new JsonSyntax(pos);
    pos++;
  };
  const value = (depth: number): void => {
    space();
    const char = text[pos];
    if (char === '{') {
      pos++;
      space();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        space();
        const keyOffset = pos;
        const key = JSON.parse(match(STRING)) as string;
        space();
        expect(':');
        space();
        if (depth === 0) members.push({ key, keyOffset, valueOffset: pos });
        value(depth + 1);
        space();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        expect('}');
        return;
      }
    }
    if (char === '[') {
      pos++;
      space();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (;;) {
        value(depth + 1);
        space();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        expect(']');
        return;
      }
    }
    if (char === '"') {
      match(STRING);
      return;
    }
    const literal = ['true', 'false', 'null'].find((word) => word[0] === char);
    if (literal !== undefined) {
      // Like JSON.parse, blame the first character that breaks the literal: `tru}` fails at `}`.
      for (const expected of literal) expect(expected);
      return;
    }
    match(NUMBER);
  };
  try {
    value(0);
    space();
    if (pos < text.length) throw new JsonSyntax(pos);
    return { ok: true, members };
  } catch (error) {
    if (error instanceof JsonSyntax) return { ok: false, errorOffset: error.offset };
    throw error;
  }
}

/** The 1-based line and column of an offset in a text; `\r\n` counts as one line break. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1) ?? '').length + 1 };
}
