import type { SpanValue } from '@enclave/contracts';
import { codePointToUtf16Index, utf16IndexToCodePoint } from '@enclave/labeling';

/**
 * The pure half of the span widget. The browser's selections count UTF-16 code units; span offsets
 * count Unicode code points (SPEC §4, the API's validation). Selections also snap to grapheme clusters,
 * so a span never cuts an emoji sequence or a letter from its combining accent.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const words = new Intl.Segmenter(undefined, { granularity: 'word' });

/** How far around an index to look for cluster boundaries: no cluster a person types is longer. */
const WINDOW = 64;

/**
 * The grapheme cluster boundary at `index` (UTF-16) or the nearest one before it (`down`) or after it
 * (`up`). Only a window around the index is segmented, so a megabyte of text costs nothing.
 */
export function snapToGrapheme(text: string, index: number, direction: 'down' | 'up'): number {
  const at = Math.min(Math.max(index, 0), text.length);
  if (at === 0 || at === text.length) return at;
  const from = Math.max(0, at - WINDOW);
  const to = Math.min(text.length, at + WINDOW);
  let before = from;
  let after = to;
  for (const { index: i } of graphemes.segment(text.slice(from, to))) {
    const boundary = from + i;
    if (boundary === at) return at;
    if (boundary < at) before = boundary;
    else {
      after = boundary;
      break;
    }
  }
  // A window that starts inside a cluster may report a false boundary at its own start; the text's
  // ends and the far side of the window are real ones.
  if (after === to && to !== text.length) after = at;
  return direction === 'down' ? before : after;
}

export interface CodePointRange {
  start: number;
  end: number;
}

const SPACE = /\s/u;

/**
 * A browser selection (two UTF-16 offsets into `text`, in either order) as the span it marks, in code
 * points: whitespace at either end dropped (a double-clicked word brings its trailing space along),
 * widened to whole grapheme clusters. Null when nothing but whitespace is selected.
 */
export function selectionToRange(text: string, anchor: number, focus: number): CodePointRange | null {
  let a = Math.max(0, Math.min(anchor, focus));
  let b = Math.min(text.length, Math.max(anchor, focus));
  while (a < b && SPACE.test(text.charAt(a))) a++;
  while (b > a && SPACE.test(text.charAt(b - 1))) b--;
  if (a >= b) return null;
  a = snapToGrapheme(text, a, 'down');
  b = snapToGrapheme(text, b, 'up');
  const start = utf16IndexToCodePoint(text, a);
  const end = utf16IndexToCodePoint(text, b);
  return end > start ? { start, end } : null;
}

/** A code-point range as UTF-16 offsets, for a DOM Range or for slicing. */
export function rangeToUtf16(text: string, range: CodePointRange): { start: number; end: number } {
  return { start: codePointToUtf16Index(text, range.start), end: codePointToUtf16Index(text, range.end) };
}

/**
 * Where the keyboard caret goes: one grapheme cluster or one word left or right (UTF-16 offsets).
 * A word step stops at the start of the next word going left and at the end of one going right.
 */
export function moveCaret(text: string, index: number, direction: -1 | 1, unit: 'char' | 'word'): number {
  if (unit === 'char') {
    if (direction < 0) return index <= 0 ? 0 : snapToGrapheme(text, index - 1, 'down');
    return index >= text.length ? text.length : snapToGrapheme(text, index + 1, 'up');
  }
  const from = Math.max(0, index - 4 * WINDOW);
  const to = Math.min(text.length, index + 4 * WINDOW);
  const segs = [...words.segment(text.slice(from, to))].map((s) => ({
    start: from + s.index,
    end: from + s.index + s.segment.length,
    word: s.isWordLike === true,
  }));
  if (direction > 0) {
    const next = segs.find((s) => s.word && s.end > index);
    return next ? next.end : to;
  }
  const prev = [...segs].reverse().find((s) => s.word && s.start < index);
  return prev ? prev.start : from;
}

/**
 * A lane per span so that overlapping spans never share one: sorted by start (longer first), each
 * takes the lowest lane whose last span has ended. Lane 0 is drawn closest to the text.
 */
export function layoutLanes(spans: readonly CodePointRange[]): number[] {
  const order = spans
    .map((s, i) => ({ s, i }))
    .sort((x, y) => x.s.start - y.s.start || y.s.end - x.s.end || x.i - y.i);
  const laneEnds: number[] = [];
  const lanes = new Array<number>(spans.length).fill(0);
  for (const { s, i } of order) {
    let lane = laneEnds.findIndex((end) => end <= s.start);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = s.end;
    lanes[i] = lane;
  }
  return lanes;
}

export interface TextSegment {
  /** UTF-16 offsets, for the DOM. */
  start16: number;
  end16: number;
  /** Code point offset of the segment's start. */
  start: number;
  /** Indexes of the spans covering the segment. */
  spans: number[];
  /** Inside the pending selection. */
  selected: boolean;
}

/**
 * The text cut at every span and selection boundary, each piece knowing the spans over it: the
 * rendering is one element per piece, so overlapping spans nest without overlapping elements.
 */
export function segmentText(
  text: string,
  spans: readonly CodePointRange[],
  selection: CodePointRange | null = null,
  /** More places to cut (the keyboard caret), in code points. */
  extraCuts: readonly number[] = [],
): TextSegment[] {
  const cuts = new Set<number>([0, ...extraCuts.filter((c) => c >= 0)]);
  for (const s of [...spans, ...(selection ? [selection] : [])]) {
    cuts.add(Math.max(0, s.start));
    cuts.add(Math.max(0, s.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  // One walk converts every cut to UTF-16, instead of one walk per cut.
  const at16: number[] = [];
  let cp = 0;
  let i = 0;
  for (const point of points) {
    while (cp < point && i < text.length) {
      const unit = text.charCodeAt(i);
      const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length;
      const next = pair ? text.charCodeAt(i + 1) : 0;
      i += pair && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
      cp++;
    }
    at16.push(cp < point ? text.length : i);
  }
  const length = cp + codePointsFrom(text, i);
  const out: TextSegment[] = [];
  for (let k = 0; k < points.length; k++) {
    const start = points[k]!;
    if (start >= length) break;
    const end = k + 1 < points.length ? Math.min(points[k + 1]!, length) : length;
    const start16 = at16[k]!;
    const end16 = k + 1 < points.length ? at16[k + 1]! : text.length;
    if (end16 <= start16) continue;
    const covering: number[] = [];
    spans.forEach((s, idx) => {
      if (s.start <= start && s.end >= end) covering.push(idx);
    });
    const selected = selection !== null && selection.start <= start && selection.end >= end;
    out.push({ start16, end16, start, spans: covering, selected });
  }
  return out;
}

function codePointsFrom(text: string, from: number): number {
  let n = 0;
  for (let i = from; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function compareSpans(a: SpanValue, b: SpanValue): number {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

/** Marks a range with a label, or unmarks it when exactly that span exists; kept in reading order. */
export function toggleSpan(spans: readonly SpanValue[], range: CodePointRange, label: string): SpanValue[] {
  const same = spans.findIndex((s) => s.start === range.start && s.end === range.end && s.label === label);
  if (same >= 0) return spans.filter((_, i) => i !== same);
  return [...spans, { start: range.start, end: range.end, label }].sort(compareSpans);
}

/**
 * The span a click at code point `offset` removes: the shortest one over it (the innermost, the one
 * a person aims at), the latest in reading order on a tie. -1 when none covers it.
 */
export function spanAt(spans: readonly CodePointRange[], offset: number): number {
  let best = -1;
  spans.forEach((s, i) => {
    if (s.start > offset || s.end <= offset) return;
    if (best < 0 || s.end - s.start <= spans[best]!.end - spans[best]!.start) best = i;
  });
  return best;
}
