import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agreesWithMajorityOfOthers,
  CohensKappaAccumulator,
  FleissKappaAccumulator,
  IntervalAlphaAccumulator,
  NominalAlphaAccumulator,
  type LabelCounts,
} from './incremental';
import { cohensKappa, fleissKappa } from './kappa';
import { krippendorffAlpha } from './krippendorff';
import { agreementWithMajority, type ChoiceAnswer } from './stats';

/** Counts per label of a list of labels, as SQL's `GROUP BY item, label` gives them. */
function countsOf(labels: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return counts;
}

/** Equal as coefficients: both null, or numbers within a rounding error. */
function sameCoefficient(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

const label = fc.constantFrom('a', 'b', 'c', 'd');
/** Items with 0 to 6 labels each: unrated, single and multiply rated items alike. */
const labelItems = fc.array(fc.array(label, { maxLength: 6 }), { maxLength: 40 });
/** Rating units with 0 to 5 integer values each. */
const ratingUnits = fc.array(fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 5 }), { maxLength: 40 });

function fleissOf(items: readonly string[][]): number | null {
  const acc = new FleissKappaAccumulator();
  for (const item of items) acc.add(countsOf(item));
  return acc.value();
}

function nominalAlphaOf(items: readonly string[][]): number | null {
  const acc = new NominalAlphaAccumulator();
  for (const item of items) acc.add(countsOf(item));
  return acc.value();
}

/** Each distinct item once, with the number of times it occurs as the weight. */
function grouped(items: readonly string[][]): Array<{ counts: Map<string, number>; weight: number }> {
  const byKey = new Map<string, { counts: Map<string, number>; weight: number }>();
  for (const item of items) {
    const key = JSON.stringify([...item].sort());
    const entry = byKey.get(key);
    if (entry) entry.weight++;
    else byKey.set(key, { counts: countsOf(item), weight: 1 });
  }
  return [...byKey.values()];
}

/** Wikipedia, "Fleiss' kappa", worked example: 10 subjects × 5 categories, 14 raters each. */
const WIKIPEDIA_FLEISS = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];
const CATEGORIES = ['c1', 'c2', 'c3', 'c4', 'c5'];
const asCounts = (row: number[]): Record<string, number> =>
  Object.fromEntries(row.map((count, j) => [CATEGORIES[j]!, count]));

/**
 * Krippendorff (2011) §C, "Nominal data, any number of observers, missing data": 4 observers, 12 units,
 * written per unit without the missing values (unit 12 has a single value and is not pairable).
 */
const KRIPPENDORFF_C_UNITS = [
  [1, 1, 1],
  [2, 2, 3, 2],
  [3, 3, 3, 3],
  [3, 3, 3, 3],
  [2, 2, 2, 2],
  [1, 2, 3, 4],
  [4, 4, 4, 4],
  [1, 1, 2, 1],
  [2, 2, 2, 2],
  [5, 5, 5],
  [1, 1],
  [3],
];

describe('FleissKappaAccumulator', () => {
  it("reproduces Wikipedia's worked example from per-item counts: κ = 0.210", () => {
    // the same table as kappa.spec.ts: P̄ = 0.378, P̄e = 0.213, κ = 0.209930704
    const acc = new FleissKappaAccumulator();
    for (const row of WIKIPEDIA_FLEISS) acc.add(asCounts(row));
    expect(acc.value()).toBeCloseTo(0.209930704, 9);
    expect(acc.pairedItems).toBe(10);
  });

  it('reproduces the hand-computed example with 3, 2, 1 and 2 ratings: κ = 13/45', () => {
    // items aaa, ab, b, bb: p̄ = 2/3 over the three paired items; π = (3/8, 5/8) over all four, p̄e = 17/32
    const acc = new FleissKappaAccumulator();
    for (const item of [{ a: 3 }, { a: 1, b: 1 }, { b: 1 }, new Map([['b', 2]])] as LabelCounts[])
      acc.add(item);
    expect(acc.value()).toBeCloseTo(13 / 45, 12);
  });

  it('equals fleissKappa on the same items, one at a time (property)', () => {
    fc.assert(fc.property(labelItems, (items) => sameCoefficient(fleissOf(items), fleissKappa(items))));
  });

  it('gives the same with identical items grouped and weighted (property)', () => {
    fc.assert(
      fc.property(labelItems, (items) => {
        const acc = new FleissKappaAccumulator();
        for (const { counts, weight } of grouped(items)) acc.add(counts, weight);
        return sameCoefficient(acc.value(), fleissKappa(items));
      }),
    );
  });

  it('is null with no paired item or a single label, and refuses bad counts and weights', () => {
    expect(new FleissKappaAccumulator().value()).toBeNull();
    expect(fleissOf([['a'], ['b']])).toBeNull();
    expect(
      fleissOf([
        ['a', 'a'],
        ['a', 'a', 'a'],
      ]),
    ).toBeNull();
    expect(() => new FleissKappaAccumulator().add({ a: -1 })).toThrow(RangeError);
    expect(() => new FleissKappaAccumulator().add({ a: 1.5 })).toThrow(RangeError);
    expect(() => new FleissKappaAccumulator().add({ a: 2 }, 0)).toThrow(RangeError);
  });
});

describe('NominalAlphaAccumulator', () => {
  it('reproduces Krippendorff (2011) §C at the nominal level from per-unit counts: α = 113/152', () => {
    const acc = new NominalAlphaAccumulator();
    for (const unit of KRIPPENDORFF_C_UNITS) acc.add(countsOf(unit.map(String)));
    expect(acc.value()).toBeCloseTo(0.743, 3);
    expect(acc.value()).toBeCloseTo(113 / 152, 12);
    expect(acc.pairableValues).toBe(40);
  });

  it('equals krippendorffAlpha(…, "nominal") on the same units, one at a time (property)', () => {
    fc.assert(
      fc.property(labelItems, (items) =>
        sameCoefficient(nominalAlphaOf(items), krippendorffAlpha(items, 'nominal')),
      ),
    );
  });

  it('gives the same with identical units grouped and weighted (property)', () => {
    fc.assert(
      fc.property(labelItems, (items) => {
        const acc = new NominalAlphaAccumulator();
        for (const { counts, weight } of grouped(items)) acc.add(counts, weight);
        return sameCoefficient(acc.value(), krippendorffAlpha(items, 'nominal'));
      }),
    );
  });

  it('keeps the identity α = 1 − (n − 1)/n · (1 − κ) with Fleiss for complete data (property)', () => {
    // the same m coders on every unit, nothing missing (krippendorff.spec.ts checks it for the batch forms)
    const complete = fc
      .integer({ min: 2, max: 5 })
      .chain((m) =>
        fc.array(fc.array(label, { minLength: m, maxLength: m }), { minLength: 1, maxLength: 30 }),
      );
    fc.assert(
      fc.property(complete, (items) => {
        const alpha = nominalAlphaOf(items);
        const kappa = fleissOf(items);
        if (alpha === null || kappa === null) return alpha === kappa;
        const n = items.reduce((s, item) => s + item.length, 0);
        return Math.abs(alpha - (1 - ((n - 1) / n) * (1 - kappa))) < 1e-9;
      }),
    );
  });
});

describe('IntervalAlphaAccumulator', () => {
  it('reproduces Krippendorff (2011) §C at the interval level, from values and from moments: α = 951/1120', () => {
    const fromValues = new IntervalAlphaAccumulator();
    const fromMoments = new IntervalAlphaAccumulator();
    for (const unit of KRIPPENDORFF_C_UNITS) {
      fromValues.addValues(unit);
      fromMoments.addMoments(moments(unit));
    }
    expect(fromValues.value()).toBeCloseTo(0.849, 3);
    expect(fromValues.value()).toBeCloseTo(951 / 1120, 12);
    expect(fromMoments.value()).toBeCloseTo(951 / 1120, 12);
  });

  it('equals krippendorffAlpha(…, "interval") from values and from moments (property)', () => {
    fc.assert(
      fc.property(ratingUnits, (units) => {
        const fromValues = new IntervalAlphaAccumulator();
        const fromMoments = new IntervalAlphaAccumulator();
        for (const unit of units) {
          fromValues.addValues(unit);
          fromMoments.addMoments(moments(unit));
        }
        const expected = krippendorffAlpha(units, 'interval');
        return (
          sameCoefficient(fromValues.value(), expected) && sameCoefficient(fromMoments.value(), expected)
        );
      }),
    );
  });

  it('stays accurate for real-valued data and grouped units (property)', () => {
    // thousandths in [-100, 100]: real-valued, without the denormals that make every formula 0/0
    const value = fc.integer({ min: -100_000, max: 100_000 }).map((v) => v / 1000);
    const unit = fc.array(value, { maxLength: 4 });
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 20 }), fc.integer({ min: 1, max: 5 }), (units, weight) => {
        const acc = new IntervalAlphaAccumulator();
        for (const u of units) acc.addValues(u, weight);
        const repeated = units.flatMap((u) => Array.from({ length: weight }, () => u));
        const expected = krippendorffAlpha(repeated, 'interval');
        if (expected === null || acc.value() === null) return expected === acc.value();
        return Math.abs(acc.value()! - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
      }),
    );
  });

  it('tells unanimous units from the sums alone for whole numbers (property)', () => {
    fc.assert(
      fc.property(ratingUnits, (units) => {
        const acc = new IntervalAlphaAccumulator();
        for (const unit of units) {
          const { min: _min, max: _max, ...sums } = moments(unit);
          acc.addMoments(sums);
        }
        return sameCoefficient(acc.value(), krippendorffAlpha(units, 'interval'));
      }),
    );
  });

  it('is exactly 1 for unanimous units and null when every value is the same', () => {
    const acc = new IntervalAlphaAccumulator();
    acc.addMoments({
      count: 3,
      sum: 0.30000000000000004,
      sumOfSquares: 0.030000000000000006,
      min: 0.1,
      max: 0.1,
    });
    acc.addValues([0.7, 0.7]);
    expect(acc.value()).toBe(1);
    const same = new IntervalAlphaAccumulator();
    same.addValues([4, 4, 4]);
    same.addMoments(moments([4, 4]));
    same.addValues([9]); // not pairable
    expect(same.value()).toBeNull();
    expect(() => new IntervalAlphaAccumulator().addValues([1, Number.NaN])).toThrow(TypeError);
  });
});

describe('CohensKappaAccumulator', () => {
  it("reproduces Wikipedia's simple example: 20/5/10/15, κ = 0.4", () => {
    // p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.4
    const acc = new CohensKappaAccumulator();
    acc.add('yes', 'yes', 20);
    acc.add('yes', 'no', 5);
    acc.add('no', 'yes', 10);
    acc.add('no', 'no', 15);
    expect(acc.value()).toBeCloseTo(0.4, 12);
    expect(acc.items).toBe(50);
  });

  it('equals cohensKappa on the same pairs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(label, label), { maxLength: 60 }), (pairs) => {
        const acc = new CohensKappaAccumulator();
        for (const [a, b] of pairs) acc.add(a, b);
        return Object.is(acc.value(), cohensKappa(pairs)) || sameCoefficient(acc.value(), cohensKappa(pairs));
      }),
    );
  });

  it('is null with no pairs and when both gave one label throughout', () => {
    expect(new CohensKappaAccumulator().value()).toBeNull();
    const acc = new CohensKappaAccumulator();
    acc.add('pos', 'pos', 7);
    expect(acc.value()).toBeNull();
  });
});

describe('agreesWithMajorityOfOthers', () => {
  it('reads the majority of the other answers, leaving this one out', () => {
    // a a b: each a sees {a, b} (a tie: null); b sees {a, a} (a majority it differs from)
    expect(agreesWithMajorityOfOthers({ a: 2, b: 1 }, 'a')).toBeNull();
    expect(agreesWithMajorityOfOthers({ a: 2, b: 1 }, 'b')).toBe(false);
    // a a a b: each a sees {a, a, b}: agrees
    expect(agreesWithMajorityOfOthers({ a: 3, b: 1 }, 'a')).toBe(true);
    // alone on the item: no others, no majority
    expect(agreesWithMajorityOfOthers({ a: 1 }, 'a')).toBeNull();
    expect(() => agreesWithMajorityOfOthers({ a: 1 }, 'b')).toThrow(RangeError);
  });

  it('tallies to what agreementWithMajority gives (property)', () => {
    const rows = fc.uniqueArray(
      fc.record({
        item: fc.constantFrom('i1', 'i2', 'i3', 'i4'),
        annotator: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6'),
        label: fc.constantFrom('a', 'b', 'c'),
      }),
      { selector: (r) => `${r.item}/${r.annotator}`, maxLength: 24 },
    );
    fc.assert(
      fc.property(rows, (answers: ChoiceAnswer[]) => {
        const perItem = new Map<string, string[]>();
        for (const a of answers) perItem.set(a.item, [...(perItem.get(a.item) ?? []), a.label]);
        const tally = new Map<string, { compared: number; agreed: number }>();
        for (const a of answers) {
          const t = tally.get(a.annotator) ?? { compared: 0, agreed: 0 };
          const verdict = agreesWithMajorityOfOthers(countsOf(perItem.get(a.item)!), a.label);
          if (verdict !== null) {
            t.compared++;
            if (verdict) t.agreed++;
          }
          tally.set(a.annotator, t);
        }
        return agreementWithMajority(answers).every(
          (r) =>
            tally.get(r.annotator)?.compared === r.compared && tally.get(r.annotator)?.agreed === r.agreed,
        );
      }),
    );
  });
});

function moments(values: readonly number[]) {
  return {
    count: values.length,
    sum: values.reduce((s, v) => s + v, 0),
    sumOfSquares: values.reduce((s, v) => s + v * v, 0),
    min: values.length > 0 ? Math.min(...values) : 0,
    max: values.length > 0 ? Math.max(...values) : 0,
  };
}
