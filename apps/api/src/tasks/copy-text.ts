/**
 * Values written in PostgreSQL's COPY text format: columns separated by tabs, rows by newlines, `\N` for
 * NULL, and a backslash escaping a backslash, newline, carriage return or tab inside a value. A NUL
 * character cannot be carried at all (PostgreSQL's text types refuse it), so it is refused here.
 */
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;
const ESCAPABLE = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export class CopyTextError extends Error {}

/** One value of a COPY text row. */
export function copyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  if (value.includes('\0'))
    throw new CopyTextError('a value contains a NUL character, which PostgreSQL cannot store');
  return value.replace(ESCAPABLE, (c) => ESCAPES[c]!);
}

/**
 * A PostgreSQL array literal of strings (`{"a","b"}`), as one COPY text value. Elements are quoted, so
 * that a word such as NULL stays a string; quotes and backslashes inside them are escaped.
 */
export function copyTextArray(items: readonly string[]): string {
  const literal = `{${items.map((i) => `"${i.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  return copyText(literal);
}

const UNICODE_ESCAPE = '\\u';
/**
 * A `\u0000` escape or a lone surrogate escape (`\ud800`) that is not itself escaped: JSON.stringify
 * writes NUL and unpaired surrogates that way, and PostgreSQL's jsonb refuses both.
 */
const JSONB_REFUSED_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/** Why PostgreSQL's jsonb would refuse this JSON.stringify output, or null when it takes it. */
export function jsonbRefusal(json: string): string | null {
  if (!json.includes(UNICODE_ESCAPE) || !JSONB_REFUSED_ESCAPE.test(json)) return null;
  const m = JSONB_REFUSED_ESCAPE.exec(json)!;
  return m[0].toLowerCase().endsWith('\\u0000')
    ? 'contains a NUL character (\\u0000), which cannot be stored'
    : 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
}

const TEXT_REFUSED = /[\0\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL's text type would refuse this string, or null when it takes it. */
export function textRefusal(value: string): string | null {
  if (!TEXT_REFUSED.test(value)) return null;
  if (value.includes('\0')) return 'contains a NUL character, which cannot be stored';
  return LONE_SURROGATE.test(value)
    ? 'contains an unpaired UTF-16 surrogate, which is not valid Unicode'
    : null;
}
