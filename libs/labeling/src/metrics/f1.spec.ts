import type { BoxValue, SpanValue } from '@enclave/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxF1, iou, microF1, spanF1, type F1Counts } from './f1';

const span = (start: number, end: number, label: string): SpanValue => ({ start, end, label });
const box = (x: number, y: number, width: number, height: number, label = 'car'): BoxValue => ({
  x,
  y,
  width,
  height,
  label,
});

describe('spanF1', () => {
  it('counts exact matches only (hand-computed)', () => {
    const reference = [span(0, 5, 'PER'), span(10, 14, 'ORG'), span(20, 25, 'LOC')];
    const candidate = [
      span(0, 5, 'PER'), // match
      span(10, 15, 'ORG'), // one code point too long: no match
      span(20, 25, 'PER'), // right place, wrong label: no match
      span(30, 33, 'ORG'), // not in the reference
    ];
    // tp = 1, fp = 3, fn = 2: P = 1/4, R = 1/3, F1 = 2·1 / (2·1 + 3 + 2) = 2/7
    // (the harmonic mean: 2·(1/4)(1/3) / (1/4 + 1/3) = (1/6) / (7/12) = 2/7)
    const score = spanF1(reference, candidate);
    expect(score).toMatchObject({ tp: 1, fp: 3, fn: 2 });
    expect(score.precision).toBeCloseTo(1 / 4, 12);
    expect(score.recall).toBeCloseTo(1 / 3, 12);
    expect(score.f1).toBeCloseTo(2 / 7, 12);
  });

  it('scores two empty lists 1: both say there is nothing to mark', () => {
    expect(spanF1([], [])).toEqual({ tp: 0, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
  });

  it('scores 0 when one side marks something and the other nothing', () => {
    expect(spanF1([span(0, 1, 'A')], [])).toEqual({ tp: 0, fp: 0, fn: 1, precision: 0, recall: 0, f1: 0 });
    expect(spanF1([], [span(0, 1, 'A')])).toEqual({ tp: 0, fp: 1, fn: 0, precision: 0, recall: 0, f1: 0 });
  });

  it('matches each span at most once', () => {
    // a span given twice by the candidate is one match and one false positive
    expect(spanF1([span(0, 1, 'A')], [span(0, 1, 'A'), span(0, 1, 'A')])).toMatchObject({
      tp: 1,
      fp: 1,
      fn: 0,
    });
  });
});

describe('iou', () => {
  it('is intersection over union (hand-computed)', () => {
    // two 0.5 × 0.5 boxes offset by 0.25 both ways: intersection 0.25 × 0.25 = 0.0625,
    // union 0.25 + 0.25 − 0.0625 = 0.4375, IoU = 1/7
    expect(iou(box(0, 0, 0.5, 0.5), box(0.25, 0.25, 0.5, 0.5))).toBeCloseTo(1 / 7, 12);
    // a box inside another: 0.25 / 1
    expect(iou(box(0, 0, 1, 1), box(0.25, 0.25, 0.5, 0.5))).toBeCloseTo(0.25, 12);
  });

  it('is 0 for boxes that only touch or are apart, and for empty boxes', () => {
    expect(iou(box(0, 0, 0.5, 0.5), box(0.5, 0, 0.5, 0.5))).toBe(0);
    expect(iou(box(0, 0, 0.1, 0.1), box(0.8, 0.8, 0.1, 0.1))).toBe(0);
    expect(iou(box(0.2, 0.2, 0, 0), box(0.2, 0.2, 0, 0))).toBe(0);
  });

  it('is exactly 1 for a box and itself, even where x + width rounds', () => {
    // 0.7 + 0.1 is 0.7999999999999999 in floating point
    expect(iou(box(0.7, 0.1, 0.1, 0.2), box(0.7, 0.1, 0.1, 0.2))).toBe(1);
  });

  it('ignores labels', () => {
    expect(iou(box(0, 0, 0.5, 0.5, 'car'), box(0, 0, 0.5, 0.5, 'person'))).toBe(1);
  });
});

describe('boxF1', () => {
  it('matches same-label boxes at IoU ≥ 0.5, the boundary included', () => {
    // full-height strips [0, 0.5] and [0, 0.25]: IoU = 0.25 / 0.5 = 0.5 exactly
    const reference = [box(0, 0, 0.5, 1)];
    const candidate = [box(0, 0, 0.25, 1)];
    expect(boxF1(reference, candidate).f1).toBe(1);
    expect(boxF1(reference, candidate, 0.51).f1).toBe(0);
    expect(boxF1(reference, [box(0, 0, 0.25, 1, 'person')]).f1).toBe(0);
  });

  it('finds the most matches where greedy matching by highest IoU would not (hand-computed)', () => {
    // Full-height strips (so IoU is overlap / union of the x intervals):
    //   A1 = [0.20, 0.70], A2 = [0.35, 0.85]; B1 = [0.25, 0.75], B2 = [0.10, 0.60]
    //   IoU(A1, B1) = 0.45/0.55 = 0.818, IoU(A1, B2) = 0.40/0.60 = 0.667,
    //   IoU(A2, B1) = 0.40/0.60 = 0.667, IoU(A2, B2) = 0.25/0.75 = 0.333
    // Greedy takes A1–B1 first and leaves A2 and B2 unmatched (F1 = 1/2); A1–B2 with A2–B1 matches both.
    const a = [box(0.2, 0, 0.5, 1), box(0.35, 0, 0.5, 1)];
    const b = [box(0.25, 0, 0.5, 1), box(0.1, 0, 0.5, 1)];
    expect(boxF1(a, b)).toEqual({ tp: 2, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
  });

  it('scores a partial match (hand-computed)', () => {
    // reference: two cars and a person; candidate: one car in place, the person labelled car, a stray box
    const reference = [box(0, 0, 0.2, 0.2), box(0.5, 0.5, 0.2, 0.2), box(0.8, 0, 0.2, 0.4, 'person')];
    const candidate = [box(0.01, 0.01, 0.2, 0.2), box(0.8, 0, 0.2, 0.4), box(0.3, 0.8, 0.1, 0.1)];
    // tp = 1, fp = 2, fn = 2: P = 1/3, R = 1/3, F1 = 2/(2 + 2 + 2) = 1/3
    expect(boxF1(reference, candidate)).toMatchObject({ tp: 1, fp: 2, fn: 2 });
    expect(boxF1(reference, candidate).f1).toBeCloseTo(1 / 3, 12);
  });

  it('scores two empty lists 1', () => {
    expect(boxF1([], []).f1).toBe(1);
  });

  it('refuses a threshold outside [0, 1]', () => {
    expect(() => boxF1([], [], 1.5)).toThrow(RangeError);
    expect(() => boxF1([], [], Number.NaN)).toThrow(RangeError);
  });
});

describe('microF1', () => {
  it('pools the counts before scoring (hand-computed)', () => {
    // item 1: tp 8, fp 2, fn 0 (F1 16/18); item 2: tp 0, fp 0, fn 2 (F1 0); their mean would be 0.444
    // pooled: tp 8, fp 2, fn 2: P = 0.8, R = 0.8, F1 = 16/20 = 0.8
    const score = microF1([
      { tp: 8, fp: 2, fn: 0 },
      { tp: 0, fp: 0, fn: 2 },
    ]);
    expect(score).toEqual({ tp: 8, fp: 2, fn: 2, precision: 0.8, recall: 0.8, f1: 0.8 });
  });

  it('scores no counts like two empty lists', () => {
    expect(microF1([]).f1).toBe(1);
  });
});

describe('properties', () => {
  const coord = fc.integer({ min: 0, max: 16 }).map((i) => i / 16);
  const anyBox = fc
    .tuple(
      coord,
      coord,
      fc.integer({ min: 1, max: 16 }),
      fc.integer({ min: 1, max: 16 }),
      fc.constantFrom('a', 'b'),
    )
    .map(([x, y, w, h, label]) =>
      box(x, y, Math.min(w / 16, 1 - x) || 1 / 16, Math.min(h / 16, 1 - y) || 1 / 16, label),
    );
  // boxes with awkward decimal coordinates too
  const floatBox = fc
    .tuple(
      fc.double({ min: 0, max: 0.9, noNaN: true }),
      fc.double({ min: 0, max: 0.9, noNaN: true }),
      fc.double({ min: 0.001, max: 0.1, noNaN: true }),
      fc.double({ min: 0.001, max: 0.1, noNaN: true }),
    )
    .map(([x, y, w, h]) => box(x, y, w, h));
  const boxes = fc.array(anyBox, { maxLength: 5 });
  const spanArb = fc
    .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom('A', 'B'))
    .map(([start, length, label]) => span(start, start + length, label));
  const spans = fc.array(spanArb, { maxLength: 8 });

  it('IoU is symmetric, in [0, 1], and 1 for a box with itself', () => {
    fc.assert(
      fc.property(fc.oneof(anyBox, floatBox), fc.oneof(anyBox, floatBox), (a, b) => {
        const v = iou(a, b);
        return v === iou(b, a) && v >= 0 && v <= 1 && iou(a, a) === 1;
      }),
    );
  });

  it('F1 is in [0, 1], symmetric, and swapping the lists swaps precision and recall', () => {
    fc.assert(
      fc.property(spans, spans, (a, b) => {
        const ab = spanF1(a, b);
        const ba = spanF1(b, a);
        return (
          ab.f1 >= 0 && ab.f1 <= 1 && ab.f1 === ba.f1 && ab.precision === ba.recall && spanF1(a, a).f1 === 1
        );
      }),
    );
    fc.assert(
      fc.property(boxes, boxes, (a, b) => {
        const ab = boxF1(a, b);
        const ba = boxF1(b, a);
        return (
          ab.f1 >= 0 && ab.f1 <= 1 && ab.f1 === ba.f1 && ab.precision === ba.recall && boxF1(a, a).f1 === 1
        );
      }),
    );
  });

  it('box matching finds as many matches as the best of all one-to-one matchings (brute force)', () => {
    /** The largest matching, trying every partner (or none) for each reference box in turn. */
    const best = (a: BoxValue[], b: BoxValue[], used: boolean[] = b.map(() => false), i = 0): number => {
      if (i === a.length) return 0;
      let most = best(a, b, used, i + 1);
      b.forEach((c, j) => {
        if (used[j] || c.label !== a[i]!.label || iou(a[i]!, c) < 0.5) return;
        used[j] = true;
        most = Math.max(most, 1 + best(a, b, used, i + 1));
        used[j] = false;
      });
      return most;
    };
    // boxes crowded into a small area, so that several overlap
    const crowded = fc
      .tuple(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 3, max: 6 }),
        fc.constantFrom('a', 'b'),
      )
      .map(([x, y, w, h, label]) => box(x / 16, y / 16, w / 16, h / 16, label));
    fc.assert(
      fc.property(fc.array(crowded, { maxLength: 5 }), fc.array(crowded, { maxLength: 5 }), (a, b) => {
        return boxF1(a, b).tp === best(a, b);
      }),
    );
  });

  it('micro F1 over items equals span F1 over all their spans kept apart by item', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(spans, spans), { maxLength: 6 }), (items) => {
        const counts: F1Counts[] = items.map(([a, b]) => spanF1(a, b));
        // an item's spans get their own label namespace so they can only match within the item
        const tag = (list: SpanValue[], i: number) => list.map((s) => ({ ...s, label: `${i}:${s.label}` }));
        const pooled = spanF1(
          items.flatMap(([a], i) => tag(a, i)),
          items.flatMap(([, b], i) => tag(b, i)),
        );
        return JSON.stringify(microF1(counts)) === JSON.stringify(pooled);
      }),
    );
  });
});
