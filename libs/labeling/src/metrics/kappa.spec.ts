import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cohensKappa, fleissKappa } from './kappa';

/** `count` copies of `value`. */
function times<T>(count: number, value: T): T[] {
  return Array.from({ length: count }, () => value);
}

/** The items of a 2×2 table: both yes, A yes B no, A no B yes, both no. */
function twoByTwo(yesYes: number, yesNo: number, noYes: number, noNo: number): Array<[string, string]> {
  return [
    ...times<[string, string]>(yesYes, ['yes', 'yes']),
    ...times<[string, string]>(yesNo, ['yes', 'no']),
    ...times<[string, string]>(noYes, ['no', 'yes']),
    ...times<[string, string]>(noNo, ['no', 'no']),
  ];
}

/** Textbook form, in proportions over the labels used: p_o, p_e = Σ_k p_a(k)·p_b(k), κ. */
function cohenByProportions(pairs: Array<[string, string]>): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const labels = new Set(pairs.flat());
  const po = pairs.filter(([a, b]) => a === b).length / n;
  let pe = 0;
  for (const k of labels)
    pe += (pairs.filter(([a]) => a === k).length / n) * (pairs.filter(([, b]) => b === k).length / n);
  return pe === 1 ? null : (po - pe) / (1 - pe);
}

const label = fc.constantFrom('a', 'b', 'c', 'd');
const pairList = fc.array(fc.tuple(label, label), { maxLength: 60 });

describe('cohensKappa', () => {
  it("reproduces Wikipedia's simple example: 50 items, κ = 0.4", () => {
    // Wikipedia, "Cohen's kappa", section "Simple example": 50 grant proposals, both readers yes 20,
    // A yes B no 5, A no B yes 10, both no 15. p_o = 35/50 = 0.7; A says yes 25/50 = 0.5, B 30/50 = 0.6;
    // p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    expect(cohensKappa(twoByTwo(20, 5, 10, 15))).toBeCloseTo(0.4, 12);
  });

  it("reproduces Wikipedia's two tables with the same 60% agreement: κ = 0.1304 and 0.2593", () => {
    // Wikipedia, "Cohen's kappa", section "Same percentages but different numbers": 100 items each,
    // 60 agreements each. Table 1 (45, 15 / 25, 15): p_e = 0.6·0.7 + 0.4·0.3 = 0.54, κ = 0.06/0.46.
    // Table 2 (25, 35 / 5, 35): p_e = 0.6·0.3 + 0.4·0.7 = 0.46, κ = 0.14/0.54.
    expect(cohensKappa(twoByTwo(45, 15, 25, 15))).toBeCloseTo(0.1304, 4);
    expect(cohensKappa(twoByTwo(25, 35, 5, 35))).toBeCloseTo(0.2593, 4);
  });

  it('is 1 for perfect agreement over two or more labels, 0 when agreement is what chance gives', () => {
    expect(
      cohensKappa([
        ['a', 'a'],
        ['b', 'b'],
        ['a', 'a'],
      ]),
    ).toBe(1);
    // A always says x, B always y: p_o = 0, p_e = 0
    expect(
      cohensKappa([
        ['x', 'y'],
        ['x', 'y'],
      ]),
    ).toBe(0);
  });

  it('goes below 0 when they agree less than chance would', () => {
    // p_o = 0, p_e = 0.5·0.5 + 0.5·0.5 = 0.5: κ = −1
    expect(
      cohensKappa([
        ['a', 'b'],
        ['b', 'a'],
      ]),
    ).toBe(-1);
  });

  it('is null with no items, and when both gave one and the same label throughout (p_e = 1)', () => {
    expect(cohensKappa([])).toBeNull();
    expect(cohensKappa(times<[string, string]>(7, ['pos', 'pos']))).toBeNull();
  });

  it('treats labels as plain strings, prototype names included', () => {
    expect(
      cohensKappa([
        ['constructor', 'constructor'],
        ['__proto__', '__proto__'],
      ]),
    ).toBe(1);
  });

  describe('properties', () => {
    it('matches the textbook proportions form', () => {
      fc.assert(
        fc.property(pairList, (pairs) => {
          const expected = cohenByProportions(pairs);
          const actual = cohensKappa(pairs);
          if (expected === null) return actual === null;
          return actual !== null && Math.abs(actual - expected) < 1e-12;
        }),
      );
    });

    it('is symmetric in the two annotators', () => {
      fc.assert(
        fc.property(pairList, (pairs) => {
          const swapped = pairs.map(([a, b]): [string, string] => [b, a]);
          return Object.is(cohensKappa(pairs), cohensKappa(swapped));
        }),
      );
    });

    it('is 1 for perfect agreement whenever it is defined, and never above 1', () => {
      fc.assert(
        fc.property(fc.array(label, { minLength: 1, maxLength: 40 }), pairList, (labels, pairs) => {
          const perfect = cohensKappa(labels.map((l): [string, string] => [l, l]));
          const any = cohensKappa(pairs);
          return (
            (new Set(labels).size === 1 ? perfect === null : perfect === 1) && (any === null || any <= 1)
          );
        }),
      );
    });
  });
});

/** Wikipedia, "Fleiss' kappa", worked example: 10 subjects × 5 categories, 14 raters each. */
const WIKIPEDIA_TABLE = [
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

/**
 * Fleiss (1971), Table 1: 30 psychiatric patients, 6 diagnoses each (from different psychiatrists), into
 * depression, personality disorder, schizophrenia, neurosis, other. Shipped as `diagnoses` in R's irr
 * package; transcribed from the counts in JonasMoss/quadagree `data_raw/fleiss1971.csv`.
 */
// prettier-ignore
const FLEISS_1971_TABLE = [
  [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
  [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
  [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
  [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
  [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
  [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
];

const CATEGORIES = ['c1', 'c2', 'c3', 'c4', 'c5'];
const asCounts = (row: number[]): Record<string, number> =>
  Object.fromEntries(row.map((count, j) => [CATEGORIES[j]!, count]));
const asLabels = (row: number[]): string[] => row.flatMap((count, j) => times(count, CATEGORIES[j]!));

/** Fleiss's own formulas for a constant number of raters `r`: P̄, P̄e and κ. */
function classicFleiss(table: number[][]): { pBar: number; peBar: number; kappa: number } {
  const r = table[0]!.reduce((s, c) => s + c, 0);
  const n = table.length;
  const pBar = table.reduce((s, row) => s + row.reduce((t, c) => t + c * (c - 1), 0) / (r * (r - 1)), 0) / n;
  let peBar = 0;
  for (let j = 0; j < table[0]!.length; j++)
    peBar += (table.reduce((s, row) => s + row[j]!, 0) / (n * r)) ** 2;
  return { pBar, peBar, kappa: (pBar - peBar) / (1 - peBar) };
}

describe('fleissKappa', () => {
  it("reproduces Wikipedia's worked example: P̄ = 0.378, P̄e = 0.213, κ = 0.210", () => {
    // Wikipedia, "Fleiss' kappa", section "Worked example" (10 subjects, 14 raters, 5 categories). The
    // intermediate figures check the transcription of the table; κ is the function under test.
    const { pBar, peBar } = classicFleiss(WIKIPEDIA_TABLE);
    expect(pBar).toBeCloseTo(0.378, 3);
    expect(peBar).toBeCloseTo(0.213, 3);
    expect(fleissKappa(WIKIPEDIA_TABLE.map(asCounts))).toBeCloseTo(0.21, 3);
    expect(fleissKappa(WIKIPEDIA_TABLE.map(asLabels))).toBeCloseTo(0.209930704, 9);
  });

  it('reproduces Fleiss (1971), Table 1: 30 patients × 6 raters: P̄ = .556, P̄e = .220, κ = .430', () => {
    // Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological Bulletin
    // 76(5), 378–382: κ = (.556 − .220) / (1 − .220) = .430 for the Table 1 diagnoses. R's
    // irr::kappam.fleiss(diagnoses) gives 0.4302445 (the value statsmodels pins in its tests).
    const { pBar, peBar } = classicFleiss(FLEISS_1971_TABLE);
    expect(pBar).toBeCloseTo(0.556, 3);
    expect(peBar).toBeCloseTo(0.22, 3);
    expect(fleissKappa(FLEISS_1971_TABLE.map(asCounts))).toBeCloseTo(0.43, 3);
    expect(fleissKappa(FLEISS_1971_TABLE.map(asLabels))).toBeCloseTo(0.4302445, 7);
  });

  it('tolerates varying numbers of ratings per item (hand-computed)', () => {
    // items: aaa (r=3), ab (r=2), b (r=1), bb (r=2)
    // p̄ over items with r ≥ 2: (3·2/(3·2) + 0/(2·1) + 2·1/(2·1)) / 3 = 2/3
    // π over items with r ≥ 1: a = (1 + 1/2 + 0 + 0)/4 = 3/8, b = 5/8; p̄e = 9/64 + 25/64 = 17/32
    // κ = (2/3 − 17/32) / (15/32) = 13/45
    expect(fleissKappa([['a', 'a', 'a'], ['a', 'b'], ['b'], ['b', 'b']])).toBeCloseTo(13 / 45, 12);
    // without the single-rating item: π = (1/2, 1/2), p̄e = 1/2, κ = (2/3 − 1/2) / (1/2) = 1/3
    expect(
      fleissKappa([
        ['a', 'a', 'a'],
        ['a', 'b'],
        ['b', 'b'],
      ]),
    ).toBeCloseTo(1 / 3, 12);
    // unrated items are ignored
    expect(fleissKappa([['a', 'a', 'a'], [], ['a', 'b'], {}, ['b', 'b'], { a: 0 }])).toBeCloseTo(1 / 3, 12);
  });

  it('is null with no item rated twice, or with one label throughout', () => {
    expect(fleissKappa([])).toBeNull();
    expect(fleissKappa([['a'], ['b'], []])).toBeNull();
    expect(
      fleissKappa([
        ['a', 'a'],
        ['a', 'a', 'a'],
      ]),
    ).toBeNull();
    expect(fleissKappa([{ a: 3, b: 0 }, { a: 2 }])).toBeNull();
  });

  it('refuses counts that are not whole numbers ≥ 0', () => {
    expect(() => fleissKappa([{ a: -1, b: 3 }])).toThrow(RangeError);
    expect(() => fleissKappa([{ a: 1.5, b: 3 }])).toThrow(RangeError);
    expect(() => fleissKappa([{ a: Number.NaN }])).toThrow(RangeError);
  });

  describe('properties', () => {
    /** Tables of 1–12 items × 2–4 categories, every item rated by the same 2–6 raters. */
    const constantTable = fc.integer({ min: 2, max: 6 }).chain((r) =>
      fc.array(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }).map((ws) => {
          // split r ratings into 4 categories by three cut points
          const cuts = ws.map((w) => Math.min(w, r)).sort((x, y) => x - y);
          return [cuts[0]!, cuts[1]! - cuts[0]!, cuts[2]! - cuts[1]!, r - cuts[2]!];
        }),
        { minLength: 1, maxLength: 12 },
      ),
    );

    it("equals Fleiss's constant-rater formulas when every item has the same number of ratings", () => {
      fc.assert(
        fc.property(constantTable, (table) => {
          const actual = fleissKappa(table.map((row) => asCounts(row)));
          const used = CATEGORIES.filter((_, j) => table.some((row) => (row[j] ?? 0) > 0));
          if (used.length < 2) return actual === null;
          return actual !== null && Math.abs(actual - classicFleiss(table).kappa) < 1e-12;
        }),
      );
    });

    it('gives the same result for labels and for counts, in any item order', () => {
      fc.assert(
        fc.property(fc.array(fc.array(label, { maxLength: 6 }), { maxLength: 15 }), (items) => {
          const counts = items.map((labels) => {
            const c: Record<string, number> = {};
            for (const l of labels) c[l] = (c[l] ?? 0) + 1;
            return c;
          });
          return (
            Object.is(fleissKappa(items), fleissKappa(counts)) &&
            equalOrBothNull(fleissKappa(items), fleissKappa([...items].reverse()))
          );
        }),
      );
    });

    it('is 1 for unanimous items whenever it is defined, and never above 1', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(label, fc.integer({ min: 2, max: 5 })), { minLength: 1, maxLength: 12 }),
          fc.array(fc.array(label, { maxLength: 6 }), { maxLength: 15 }),
          (unanimous, anyItems) => {
            const perfect = fleissKappa(unanimous.map(([l, r]) => times(r, l)));
            const any = fleissKappa(anyItems);
            const defined = new Set(unanimous.map(([l]) => l)).size >= 2;
            return (defined ? perfect === 1 : perfect === null) && (any === null || any <= 1 + 1e-12);
          },
        ),
      );
    });
  });
});

function equalOrBothNull(x: number | null, y: number | null): boolean {
  return x === null ? y === null : y !== null && Math.abs(x - y) < 1e-12;
}
