import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agreementWithMajority, majorityLabel, median, type ChoiceAnswer } from './stats';

function medianBySorting(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe('median', () => {
  it('is the middle value, or the mean of the two middle values', () => {
    expect(median([7])).toBe(7);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 5, 1, 5, 9, 5])).toBe(5);
    expect(median([-2, -8, 0.5])).toBe(-2);
    expect(median([1, 1, 1, 100, 100, 100])).toBe(50.5);
  });

  it('is null for no values and refuses NaN', () => {
    expect(median([])).toBeNull();
    expect(() => median([1, Number.NaN, 2])).toThrow(RangeError);
  });

  it('handles orders that defeat a naive pivot', () => {
    const n = 20_001;
    const ascending = Array.from({ length: n }, (_, i) => i);
    // "organ pipe" (up then down) and low and high values alternating
    const organ = Array.from({ length: n }, (_, i) => (i < n / 2 ? i : n - i));
    const alternating = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : n + i));
    for (const values of [ascending, [...ascending].reverse(), organ, alternating, Array<number>(n).fill(3)])
      expect(median(values)).toBe(medianBySorting(values));
  });

  it('leaves its input as it was', () => {
    const values = [5, 3, 9, 1];
    median(values);
    expect(values).toEqual([5, 3, 9, 1]);
  });

  it('agrees with sorting on any values, repeats included (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 300 }),
          fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
            minLength: 1,
            maxLength: 300,
          }),
        ),
        (values) => median(values) === medianBySorting(values),
      ),
    );
  });
});

describe('majorityLabel', () => {
  it('is the most frequent label, null on a tie or for no labels', () => {
    expect(majorityLabel(['pos', 'neg', 'pos'])).toBe('pos');
    expect(majorityLabel(['only'])).toBe('only');
    expect(majorityLabel(['pos', 'neg'])).toBeNull();
    expect(majorityLabel(['a', 'b', 'b', 'a', 'c'])).toBeNull();
    expect(majorityLabel([])).toBeNull();
  });

  it('needs the most votes, not half of them', () => {
    expect(majorityLabel(['a', 'b', 'c', 'a'])).toBe('a');
  });
});

describe('agreementWithMajority', () => {
  const answer = (item: string, annotator: string, label: string): ChoiceAnswer => ({
    item,
    annotator,
    label,
  });

  it("compares each answer with the others' majority (hand-computed)", () => {
    const answers = [
      // item 1: ann, bob, cat say pos, dan says neg. Without ann: pos 2, neg 1 → pos, ann agrees;
      // bob, cat likewise; without dan: pos 3 → dan disagrees.
      answer('1', 'ann', 'pos'),
      answer('1', 'bob', 'pos'),
      answer('1', 'cat', 'pos'),
      answer('1', 'dan', 'neg'),
      // item 2: ann pos, bob neg, cat neg. Without ann: neg 2 → disagrees. Without bob: pos 1, neg 1,
      // a tie → not compared; cat likewise.
      answer('2', 'ann', 'pos'),
      answer('2', 'bob', 'neg'),
      answer('2', 'cat', 'neg'),
      // item 3: only dan answered → nobody to compare with
      answer('3', 'dan', 'pos'),
    ];
    expect(agreementWithMajority(answers)).toEqual([
      { annotator: 'ann', compared: 2, agreed: 1, rate: 0.5 },
      { annotator: 'bob', compared: 1, agreed: 1, rate: 1 },
      { annotator: 'cat', compared: 1, agreed: 1, rate: 1 },
      { annotator: 'dan', compared: 1, agreed: 0, rate: 0 },
    ]);
  });

  it('leaves the annotator out: two annotators who disagree are never compared with themselves', () => {
    // with the annotator counted, item x's majority would be a tie for both; without, each faces one rival
    expect(agreementWithMajority([answer('x', 'p', 'a'), answer('x', 'q', 'b')])).toEqual([
      { annotator: 'p', compared: 1, agreed: 0, rate: 0 },
      { annotator: 'q', compared: 1, agreed: 0, rate: 0 },
    ]);
  });

  it('lists an annotator with nothing comparable with rate null', () => {
    expect(agreementWithMajority([answer('x', 'solo', 'a')])).toEqual([
      { annotator: 'solo', compared: 0, agreed: 0, rate: null },
    ]);
    expect(agreementWithMajority([])).toEqual([]);
  });

  it('equals the direct leave-one-out computation (property)', () => {
    const rows = fc.uniqueArray(
      fc.record({
        item: fc.constantFrom('i1', 'i2', 'i3', 'i4'),
        annotator: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6'),
        label: fc.constantFrom('a', 'b', 'c'),
      }),
      { selector: (r) => `${r.item}/${r.annotator}`, maxLength: 24 },
    );
    fc.assert(
      fc.property(rows, (answers) => {
        const expected = new Map<string, { compared: number; agreed: number }>();
        for (const a of answers) {
          const stats = expected.get(a.annotator) ?? { compared: 0, agreed: 0 };
          expected.set(a.annotator, stats);
          const others = answers
            .filter((o) => o.item === a.item && o.annotator !== a.annotator)
            .map((o) => o.label);
          const majority = majorityLabel(others);
          if (majority === null) continue;
          stats.compared++;
          if (majority === a.label) stats.agreed++;
        }
        const actual = agreementWithMajority(answers);
        return (
          actual.length === expected.size &&
          actual.every((s) => {
            const e = expected.get(s.annotator)!;
            return (
              s.compared === e.compared &&
              s.agreed === e.agreed &&
              s.rate === (e.compared > 0 ? e.agreed / e.compared : null)
            );
          })
        );
      }),
    );
  });
});
