import { codePointToUtf16Index } from '@enclave/labeling';
import { describe, expect, it } from 'vitest';
import {
  layoutLanes,
  moveCaret,
  rangeToUtf16,
  segmentText,
  selectionToRange,
  snapToGrapheme,
  spanAt,
  toggleSpan,
} from './spans';

// "🚀 José" — the rocket is two UTF-16 units and one code point.
const ROCKET = '🚀 José Martínez flew to São Paulo';
// "e" + COMBINING ACUTE ACCENT: two code points, one grapheme.
const COMBINING = 'Cafe\u0301 au lait';
// A family emoji: 5 code points joined by zero-width joiners, 8 UTF-16 units, one grapheme.
const FAMILY = 'A 👩‍👩‍👧 trip';

describe('selection to code points', () => {
  it('counts an emoji before the selection once', () => {
    const start16 = ROCKET.indexOf('José');
    expect(start16).toBe(3);
    expect(selectionToRange(ROCKET, start16, start16 + 4)).toEqual({ start: 2, end: 6 });
    // the same, selected right to left
    expect(selectionToRange(ROCKET, start16 + 4, start16)).toEqual({ start: 2, end: 6 });
  });

  it('never splits a surrogate pair: a selection ending inside the emoji takes all of it', () => {
    expect(selectionToRange(ROCKET, 0, 1)).toEqual({ start: 0, end: 1 });
    expect(selectionToRange(ROCKET, 1, 2)).toEqual({ start: 0, end: 1 });
  });

  it('keeps a combining mark with its letter', () => {
    const e = COMBINING.indexOf('e\u0301');
    // selecting "Caf" + "e" but not the accent widens to take the accent
    expect(selectionToRange(COMBINING, 0, e + 1)).toEqual({ start: 0, end: 5 });
    // starting on the accent moves back to its letter
    expect(selectionToRange(COMBINING, e + 1, e + 2)).toEqual({ start: 3, end: 5 });
  });

  it('keeps a zero-width-joiner sequence whole', () => {
    const at = FAMILY.indexOf('👩');
    expect(selectionToRange(FAMILY, at + 2, at + 4)).toEqual({ start: 2, end: 7 });
    expect(codePointToUtf16Index(FAMILY, 7)).toBe(at + 8);
  });

  it('trims whitespace at either end and refuses a blank selection', () => {
    expect(selectionToRange('  hello world ', 0, 8)).toEqual({ start: 2, end: 7 });
    expect(selectionToRange('a   b', 1, 4)).toBeNull();
    expect(selectionToRange('abc', 2, 2)).toBeNull();
  });

  it('clamps offsets to the text', () => {
    expect(selectionToRange('abc', -5, 99)).toEqual({ start: 0, end: 3 });
  });

  it('goes back to UTF-16 for the DOM', () => {
    expect(rangeToUtf16(ROCKET, { start: 2, end: 6 })).toEqual({ start: 3, end: 7 });
    expect(ROCKET.slice(3, 7)).toBe('José');
  });

  it('snaps to grapheme boundaries in either direction', () => {
    const at = FAMILY.indexOf('👩');
    expect(snapToGrapheme(FAMILY, at + 3, 'down')).toBe(at);
    expect(snapToGrapheme(FAMILY, at + 3, 'up')).toBe(at + 8);
    expect(snapToGrapheme(FAMILY, at, 'up')).toBe(at);
    expect(snapToGrapheme(FAMILY, 0, 'down')).toBe(0);
    expect(snapToGrapheme(FAMILY, FAMILY.length, 'up')).toBe(FAMILY.length);
  });
});

describe('keyboard caret', () => {
  it('steps over whole graphemes', () => {
    expect(moveCaret(ROCKET, 0, 1, 'char')).toBe(2);
    expect(moveCaret(ROCKET, 2, -1, 'char')).toBe(0);
    const e = COMBINING.indexOf('e\u0301');
    expect(moveCaret(COMBINING, e, 1, 'char')).toBe(e + 2);
    expect(moveCaret(COMBINING, 0, -1, 'char')).toBe(0);
    expect(moveCaret(COMBINING, COMBINING.length, 1, 'char')).toBe(COMBINING.length);
  });

  it('steps by words: to the end of the next, to the start of the previous', () => {
    const text = 'Marie Curie was born';
    expect(moveCaret(text, 0, 1, 'word')).toBe(5);
    expect(moveCaret(text, 5, 1, 'word')).toBe(11);
    expect(moveCaret(text, 11, -1, 'word')).toBe(6);
    expect(moveCaret(text, 6, -1, 'word')).toBe(0);
  });
});

describe('overlapping spans', () => {
  it('gives overlapping spans different lanes and reuses a lane once free', () => {
    //  [0,10) outer, [2,5) inner, [12,15) later, [4,8) overlapping the inner one
    const spans = [
      { start: 0, end: 10 },
      { start: 2, end: 5 },
      { start: 12, end: 15 },
      { start: 4, end: 8 },
    ];
    expect(layoutLanes(spans)).toEqual([0, 1, 0, 2]);
  });

  it('puts the longer of two spans that start together on the lower lane', () => {
    expect(
      layoutLanes([
        { start: 0, end: 3 },
        { start: 0, end: 9 },
      ]),
    ).toEqual([1, 0]);
    expect(layoutLanes([])).toEqual([]);
  });

  it('cuts the text at every boundary, each piece knowing its spans', () => {
    const text = '🚀 ab cd';
    const segs = segmentText(text, [
      { start: 2, end: 7 },
      { start: 5, end: 7 },
    ]);
    expect(segs.map((s) => [text.slice(s.start16, s.end16), s.start, s.spans])).toEqual([
      ['🚀 ', 0, []],
      ['ab ', 2, [0]],
      ['cd', 5, [0, 1]],
    ]);
  });

  it('marks the pending selection and ignores spans past the end', () => {
    const segs = segmentText('abcdef', [{ start: 4, end: 99 }], { start: 1, end: 3 });
    expect(segs.map((s) => ['abcdef'.slice(s.start16, s.end16), s.selected, s.spans])).toEqual([
      ['a', false, []],
      ['bc', true, []],
      ['d', false, []],
      ['ef', false, [0]],
    ]);
    expect(segmentText('', [])).toEqual([]);
  });

  it('cuts at the keyboard caret without marking anything there', () => {
    const segs = segmentText('abcdef', [], null, [2]);
    expect(segs.map((s) => [s.start, s.selected])).toEqual([
      [0, false],
      [2, false],
    ]);
    expect(segmentText('abc', [], { start: 1, end: 1 }).every((s) => !s.selected)).toBe(true);
  });

  it('toggles a span: adds it in reading order, removes exactly the same one', () => {
    const one = toggleSpan([], { start: 5, end: 8 }, 'PER');
    const two = toggleSpan(one, { start: 0, end: 3 }, 'ORG');
    expect(two).toEqual([
      { start: 0, end: 3, label: 'ORG' },
      { start: 5, end: 8, label: 'PER' },
    ]);
    // same range, another label: a second span
    expect(toggleSpan(two, { start: 5, end: 8 }, 'LOC')).toHaveLength(3);
    expect(toggleSpan(two, { start: 5, end: 8 }, 'PER')).toEqual([{ start: 0, end: 3, label: 'ORG' }]);
  });

  it('removes the innermost span under a click', () => {
    const spans = [
      { start: 0, end: 10 },
      { start: 2, end: 5 },
    ];
    expect(spanAt(spans, 3)).toBe(1);
    expect(spanAt(spans, 7)).toBe(0);
    expect(spanAt(spans, 10)).toBe(-1);
  });
});
