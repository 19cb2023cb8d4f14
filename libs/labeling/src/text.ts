/**
 * Span offsets are Unicode code points, not UTF-16 code units: an emoji outside the Basic Multilingual
 * Plane counts once, a combining mark counts as its own code point, and no offset falls between the two
 * halves of a surrogate pair. A lone surrogate (malformed UTF-16) counts as one code point, as it does
 * for `[...s]`.
 */

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** The number of code points in `s`; equal to `[...s].length` without building the array. */
export function codePointLength(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    if (isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) i++;
    count++;
  }
  return count;
}

/**
 * The UTF-16 index at which code point number `cp` starts (the string's length for `cp` at or past the
 * end, 0 for a negative `cp`). The browser's selections and DOM ranges count UTF-16 units; this converts.
 */
export function codePointToUtf16Index(s: string, cp: number): number {
  if (cp <= 0) return 0;
  let seen = 0;
  for (let i = 0; i < s.length; i++) {
    if (seen === cp) return i;
    if (isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) i++;
    seen++;
  }
  return s.length;
}

/**
 * The code point offset of UTF-16 index `index`. An index inside a surrogate pair rounds down to the
 * pair's start, so a selection made in the browser never splits a character.
 */
export function utf16IndexToCodePoint(s: string, index: number): number {
  const end = Math.min(Math.max(index, 0), s.length);
  let count = 0;
  for (let i = 0; i < end; i++) {
    if (isHighSurrogate(s.charCodeAt(i)) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      if (i + 1 === end) break; // `end` is the low half: round down
      i++;
    }
    count++;
  }
  return count;
}

/**
 * The code points from `start` up to (not including) `end`, like `String.prototype.slice` but counted in
 * code points. Offsets are clamped to `[0, length]`; an `end` before `start` gives an empty string.
 */
export function sliceCodePoints(s: string, start: number, end?: number): string {
  const from = codePointToUtf16Index(s, start);
  const to = end === undefined ? s.length : codePointToUtf16Index(s, end);
  return to > from ? s.slice(from, to) : '';
}
