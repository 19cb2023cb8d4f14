import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fleissKappa } from './kappa';
import { krippendorffAlpha, type AlphaValue } from './krippendorff';

/** Reliability data as published (one row per coder) turned into units (one array per unit). */
function byUnit(rows: AlphaValue[][]): AlphaValue[][] {
  return rows[0]!.map((_, j) => rows.map((row) => row[j] ?? null));
}

const _ = null;

/**
 * Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
 * Communication, University of Pennsylvania, Departmental Papers 43. Section C, "Nominal data, any
 * number of observers, missing data": 4 observers, 12 units; unit 12 has a single value and is not
 * pairable, leaving 40 pairable values.
 */
const KRIPPENDORFF_C = byUnit([
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]);

/** Wikipedia, "Krippendorff's alpha", section "A computational example": 3 coders, 15 units. */
const WIKIPEDIA_EXAMPLE = byUnit([
  [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
  [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
  [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
]);

/**
 * The definition read literally (Krippendorff 2011, eqs. for D_o and D_e), independent of the
 * implementation's closed forms: D_o averages δ² over the ordered pairs of values of different coders
 * within each unit, weighted 1/(m_u − 1); D_e over all ordered pairs of pairable values. O(n²).
 */
function alphaByPairs(
  units: AlphaValue[][],
  delta2: (c: AlphaValue, k: AlphaValue) => number,
): number | null {
  const pairable = units.map((u) => u.filter((v) => v !== null)).filter((u) => u.length >= 2);
  const all = pairable.flat();
  const n = all.length;
  let observed = 0;
  for (const unit of pairable) {
    for (let i = 0; i < unit.length; i++)
      for (let j = 0; j < unit.length; j++)
        if (i !== j) observed += delta2(unit[i]!, unit[j]!) / (unit.length - 1);
  }
  let expected = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) expected += delta2(all[i]!, all[j]!);
  if (expected === 0) return null;
  return 1 - observed / n / (expected / (n * (n - 1)));
}
const nominalDelta = (c: AlphaValue, k: AlphaValue) => (c === k ? 0 : 1);
const intervalDelta = (c: AlphaValue, k: AlphaValue) => ((c as number) - (k as number)) ** 2;

describe('krippendorffAlpha', () => {
  it('reproduces Krippendorff (2011) §A, binary data, two observers: α = 0.095', () => {
    // 10 units; the observers differ on 4 of them. n = 20 values, 14 zeros and 6 ones, o_01 = 4:
    // α = 1 − (n − 1)·o_01 / (n_0·n_1) = 1 − 19·4/(14·6) = 2/21
    const units = byUnit([
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ]);
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(0.095, 3);
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(2 / 21, 12);
  });

  it('reproduces Krippendorff (2011) §B, nominal data, two observers: α = 0.692', () => {
    // 12 units, values a–e; the observers differ on units 1, 5 and 12, so Σ_{c≠k} o_ck = 6.
    // n = 24 with n_a = 4, n_b = 6, n_c = 6, n_d = 6, n_e = 2: Σ_{c≠k} n_c·n_k = 24² − 128 = 448;
    // α = 1 − 23·6/448 = 155/224
    const units = byUnit([
      ['a', 'a', 'b', 'b', 'd', 'c', 'c', 'c', 'e', 'd', 'd', 'a'],
      ['b', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'e', 'd', 'd', 'd'],
    ]);
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(0.692, 3);
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(155 / 224, 12);
  });

  it('reproduces Krippendorff (2011) §C, missing data: nominal α = 0.743, interval α = 0.849', () => {
    // Published to three places; the exact fractions 113/152 and 951/1120 are what independent
    // implementations get too (e.g. the Perl Statistics::Krippendorff test suite checks 0.743, 0.849).
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'nominal')).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'nominal')).toBeCloseTo(113 / 152, 12);
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'interval')).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(KRIPPENDORFF_C, 'interval')).toBeCloseTo(951 / 1120, 12);
  });

  it("reproduces Wikipedia's computational example: nominal α = 0.691, interval α = 0.811", () => {
    // Wikipedia, "Krippendorff's alpha": 3 coders, 15 units, 12 of them pairable (26 values); the
    // nominal value is 56/81.
    // The Python package krippendorff (fast-krippendorff) pins 0.691358 and 0.810845 on the same data.
    expect(krippendorffAlpha(WIKIPEDIA_EXAMPLE, 'nominal')).toBeCloseTo(0.691, 3);
    expect(krippendorffAlpha(WIKIPEDIA_EXAMPLE, 'nominal')).toBeCloseTo(0.691358, 6);
    expect(krippendorffAlpha(WIKIPEDIA_EXAMPLE, 'interval')).toBeCloseTo(0.811, 3);
    expect(krippendorffAlpha(WIKIPEDIA_EXAMPLE, 'interval')).toBeCloseTo(0.810845, 6);
  });

  it('drops units with fewer than two values, whatever their value', () => {
    const base = [
      [1, 1],
      [2, 2],
      [1, 2],
    ];
    const withSingles = [...base, [5, null, null], [null, null], [], [7]];
    expect(krippendorffAlpha(withSingles, 'nominal')).toBe(krippendorffAlpha(base, 'nominal'));
    expect(krippendorffAlpha(withSingles, 'interval')).toBe(krippendorffAlpha(base, 'interval'));
  });

  it('is null when nothing is pairable or every pairable value is the same', () => {
    expect(krippendorffAlpha([], 'nominal')).toBeNull();
    expect(
      krippendorffAlpha(
        [
          [1, null],
          [null, 2],
        ],
        'nominal',
      ),
    ).toBeNull();
    expect(krippendorffAlpha([[3, 3, 3], [3, 3], [4]], 'nominal')).toBeNull();
    expect(krippendorffAlpha([[3, 3, 3], [3, 3], [4]], 'interval')).toBeNull();
  });

  it('tells the number 1 from the string "1" at the nominal level', () => {
    // with 1 ≡ "1" every unit would agree and α would be 1
    expect(
      krippendorffAlpha(
        [
          [1, '1'],
          [2, 2],
          [1, 1],
        ],
        'nominal',
      ),
    ).toBeLessThan(1);
  });

  it('weighs interval disagreements by squared distance', () => {
    // the same one disagreement, between 1 and 2 or between 1 and 9; the value counts are alike
    // ({1, 2, 2, 2, 5, 5, 9, 9} against {1, 9, 9, 9, 5, 5, 2, 2}), so nominally the two are equal
    const near = [
      [1, 2],
      [5, 5],
      [2, 2],
      [9, 9],
    ];
    const far = [
      [1, 9],
      [5, 5],
      [2, 2],
      [9, 9],
    ];
    expect(krippendorffAlpha(near, 'nominal')).toBe(krippendorffAlpha(far, 'nominal'));
    expect(krippendorffAlpha(near, 'interval')!).toBeGreaterThan(krippendorffAlpha(far, 'interval')! + 0.1);
  });

  it('refuses non-numbers at the interval level', () => {
    expect(() => krippendorffAlpha([['a', 'b']], 'interval')).toThrow(TypeError);
    expect(() => krippendorffAlpha([[1, Number.NaN]], 'interval')).toThrow(TypeError);
  });

  describe('properties', () => {
    const nominalValue = fc.oneof(fc.constantFrom<AlphaValue>('a', 'b', 'c', 1, 2), fc.constant(null));
    const intervalValue = fc.oneof(fc.integer({ min: -3, max: 7 }), fc.constant(null));
    const unitsOf = (value: fc.Arbitrary<AlphaValue>) =>
      fc.array(fc.array(value, { maxLength: 5 }), { maxLength: 12 });

    const close = (x: number | null, y: number | null) =>
      x === null ? y === null : y !== null && Math.abs(x - y) < 1e-9;

    it('matches the pairwise definition, nominal and interval (brute-force cross-check)', () => {
      fc.assert(
        fc.property(unitsOf(nominalValue), (units) =>
          close(krippendorffAlpha(units, 'nominal'), alphaByPairs(units, nominalDelta)),
        ),
      );
      fc.assert(
        fc.property(unitsOf(intervalValue), (units) =>
          close(krippendorffAlpha(units, 'interval'), alphaByPairs(units, intervalDelta)),
        ),
      );
    });

    it('is 1 for perfect agreement whenever it is defined', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 2, max: 5 })), {
            maxLength: 10,
          }),
          fc.constantFrom<'nominal' | 'interval'>('nominal', 'interval'),
          (spec, level) => {
            const units = spec.map(([value, coders]) => Array.from({ length: coders }, () => value));
            const alpha = krippendorffAlpha(units, level);
            return new Set(spec.map(([v]) => v)).size >= 2 ? alpha === 1 : alpha === null;
          },
        ),
      );
    });

    it('does not depend on the order of coders within a unit or of the units', () => {
      fc.assert(
        fc.property(
          unitsOf(intervalValue),
          fc.constantFrom<'nominal' | 'interval'>('nominal', 'interval'),
          (units, level) => {
            const reordered = [...units].reverse().map((u) => [...u].reverse());
            return close(krippendorffAlpha(units, level), krippendorffAlpha(reordered, level));
          },
        ),
      );
    });

    it("relates to Fleiss' kappa exactly when every unit has the same coders and nothing is missing", () => {
      // Not α = κ: with m coders per unit and n = N·m values, the observed disagreements coincide
      // (1 − p̄ = D_o) while α's expected disagreement uses n(n − 1) pairs where κ's uses n², so
      // α = 1 − (n − 1)/n · (1 − κ). (For m = 2 this is α against Scott's π, Krippendorff 2011.)
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 5 }).chain((m) =>
            fc.array(fc.array(fc.constantFrom('x', 'y', 'z'), { minLength: m, maxLength: m }), {
              minLength: 1,
              maxLength: 10,
            }),
          ),
          (units) => {
            const alpha = krippendorffAlpha(units, 'nominal');
            const kappa = fleissKappa(units);
            const n = units.length * units[0]!.length;
            if (kappa === null) return alpha === null;
            return alpha !== null && Math.abs(alpha - (1 - ((n - 1) / n) * (1 - kappa))) < 1e-12;
          },
        ),
      );
    });
  });
});
