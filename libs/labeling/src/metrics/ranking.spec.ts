import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kendallTau } from './ranking';

/** τ_a by its definition: every pair of ids, concordant or discordant. O(n²). */
function tauByPairs(a: string[], b: string[]): number {
  const posB = new Map(b.map((id, i) => [id, i]));
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      // a puts a[i] before a[j]; does b?
      if (posB.get(a[i]!)! < posB.get(a[j]!)!) concordant++;
      else discordant++;
    }
  }
  return (concordant - discordant) / ((a.length * (a.length - 1)) / 2);
}

describe('kendallTau', () => {
  it('reproduces Abdi (2007): two experts ordering four wines, τ = .67', () => {
    // Abdi, H. (2007). The Kendall Rank Correlation Coefficient. In N. Salkind (Ed.), Encyclopedia of
    // Measurement and Statistics. Sage. Expert 1 orders the wines a, c, b, d; expert 2 a, c, d, b.
    // Of the 6 pairs only {b, d} is ordered differently: C = 5, D = 1, τ = (5 − 1)/6 = 2/3.
    expect(kendallTau(['a', 'c', 'b', 'd'], ['a', 'c', 'd', 'b'])).toBeCloseTo(0.67, 2);
    expect(kendallTau(['a', 'c', 'b', 'd'], ['a', 'c', 'd', 'b'])).toBeCloseTo(2 / 3, 12);
  });

  it("reproduces Wikipedia's Kendall tau distance example: 4 discordant pairs of 10, τ = 0.2", () => {
    // Wikipedia, "Kendall tau distance", section "Example": five people ranked by height 1–5 (A–E) and by
    // weight 3, 4, 1, 2, 5. Discordant pairs (A,C), (A,D), (B,C), (B,D): distance 4, normalised 0.4;
    // τ = (6 − 4)/10 = 0.2. As orderings, best first: by height A B C D E, by weight C D A B E.
    expect(kendallTau(['A', 'B', 'C', 'D', 'E'], ['C', 'D', 'A', 'B', 'E'])).toBeCloseTo(0.2, 12);
  });

  it('is 1 for the same ranking and −1 for its reverse', () => {
    expect(kendallTau(['r1', 'r2', 'r3'], ['r1', 'r2', 'r3'])).toBe(1);
    expect(kendallTau(['r1', 'r2', 'r3'], ['r3', 'r2', 'r1'])).toBe(-1);
  });

  it('is null for fewer than two ids, different ids, or a repeated id', () => {
    expect(kendallTau([], [])).toBeNull();
    expect(kendallTau(['a'], ['a'])).toBeNull();
    expect(kendallTau(['a', 'b'], ['a', 'b', 'c'])).toBeNull();
    expect(kendallTau(['a', 'b'], ['a', 'c'])).toBeNull();
    expect(kendallTau(['a', 'b', 'a'], ['a', 'b', 'b'])).toBeNull();
    expect(kendallTau(['a', 'b', 'c'], ['a', 'b', 'b'])).toBeNull();
  });

  describe('properties', () => {
    const ids = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 40 });
    const twoRankings = ids.chain((a) =>
      fc.tuple(fc.constant(a), fc.shuffledSubarray(a, { minLength: a.length })),
    );

    it('equals the pair-by-pair definition', () => {
      fc.assert(fc.property(twoRankings, ([a, b]) => Math.abs(kendallTau(a, b)! - tauByPairs(a, b)) < 1e-12));
    });

    it('is symmetric, within [−1, 1], 1 against itself and −1 against its reverse', () => {
      fc.assert(
        fc.property(twoRankings, ([a, b]) => {
          const tau = kendallTau(a, b)!;
          return (
            tau === kendallTau(b, a) &&
            tau >= -1 &&
            tau <= 1 &&
            kendallTau(a, a) === 1 &&
            kendallTau(a, [...a].reverse()) === -1
          );
        }),
      );
    });

    it('leaves its arguments as they were', () => {
      fc.assert(
        fc.property(twoRankings, ([a, b]) => {
          const before = JSON.stringify([a, b]);
          kendallTau(a, b);
          return JSON.stringify([a, b]) === before;
        }),
      );
    });
  });
});
