/** One coder's value for a unit; null (or a hole in the array) when that coder did not code it. */
export type AlphaValue = string | number | null;

/** Nominal for choices and pairwise preferences; interval for ratings. */
export type AlphaLevel = 'nominal' | 'interval';

/**
 * Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"): `α = 1 − D_o /
 * D_e`, observed over expected disagreement, from the coincidence matrix of the pairable values. A unit
 * is one item, listing the value each coder gave it; missing values (null) are allowed and units may have
 * different numbers of coders. Units with fewer than two values are not pairable and are dropped.
 *
 * With `o_ck = Σ_u (number of c–k pairs of different coders in u) / (m_u − 1)`, `n_c = Σ_k o_ck` and
 * `n = Σ_c n_c` (the pairable values), `α = 1 − (n − 1) · Σ o_ck·δ²_ck / Σ n_c·n_k·δ²_ck`, where `δ²`
 * is 1 for different values at the nominal level and `(c − k)²` at the interval level.
 *
 * The matrix is never built: for nominal data `Σ_{c≠k} o_ck = Σ_u (m_u² − Σ_c n_uc²) / (m_u − 1)` and
 * `Σ_{c≠k} n_c n_k = n² − Σ_c n_c²`; for interval data a unit's pairs sum to `2·m_u·Σ(v − v̄_u)²` and all
 * pairs of values to `2·n·Σ(v − v̄)²`. The cost is linear in the number of values.
 *
 * Null when nothing is pairable or every pairable value is the same (`D_e = 0`). Nominal values compare
 * with `===` (the number 1 and the string "1" are different values); interval values must be finite
 * numbers.
 */
export function krippendorffAlpha(
  units: ReadonlyArray<ReadonlyArray<AlphaValue | undefined>>,
  level: AlphaLevel,
): number | null {
  return level === 'nominal' ? nominalAlpha(units) : intervalAlpha(units);
}

function nominalAlpha(units: ReadonlyArray<ReadonlyArray<AlphaValue | undefined>>): number | null {
  const totals = new Map<string | number, number>();
  let n = 0;
  let observed = 0; // Σ_{c≠k} o_ck
  for (const unit of units) {
    const counts = new Map<string | number, number>();
    let m = 0;
    for (const value of unit) {
      if (value === null || value === undefined) continue;
      counts.set(value, (counts.get(value) ?? 0) + 1);
      m++;
    }
    if (m < 2) continue;
    n += m;
    let sameValuePairs = 0;
    for (const [value, count] of counts) {
      sameValuePairs += count * count;
      totals.set(value, (totals.get(value) ?? 0) + count);
    }
    observed += (m * m - sameValuePairs) / (m - 1);
  }
  if (totals.size < 2) return null;
  let sameValueExpected = 0;
  for (const total of totals.values()) sameValueExpected += total * total;
  return 1 - ((n - 1) * observed) / (n * n - sameValueExpected);
}

function intervalAlpha(units: ReadonlyArray<ReadonlyArray<AlphaValue | undefined>>): number | null {
  const pooled: number[] = [];
  let observed = 0; // Σ o_ck (c − k)²
  for (const unit of units) {
    const values: number[] = [];
    for (const value of unit) {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new TypeError(
          `krippendorffAlpha: interval values must be finite numbers, not ${String(value)}`,
        );
      values.push(value);
    }
    const m = values.length;
    if (m < 2) continue;
    for (const v of values) pooled.push(v);
    // a unanimous unit contributes exactly 0, not the rounding error of a mean of equal floats
    if (values.every((v) => v === values[0])) continue;
    observed += (2 * m * sumOfSquaredDeviations(values)) / (m - 1);
  }
  const n = pooled.length;
  if (n === 0 || pooled.every((v) => v === pooled[0])) return null;
  const expected = 2 * n * sumOfSquaredDeviations(pooled); // Σ n_c n_k (c − k)²
  return 1 - ((n - 1) * observed) / expected;
}

function sumOfSquaredDeviations(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return squares;
}
