/**
 * The agreement coefficients in streaming form, for data too large to hold: the project statistics feed
 * them per-item label counts aggregated in SQL, one row at a time, so Node never holds the annotations.
 * Each accumulator keeps only sums (and one entry per label), and equals its batch counterpart
 * (`fleissKappa`, `krippendorffAlpha`, `cohensKappa`, `agreementWithMajority`) on the same data up to
 * floating-point rounding; `incremental.spec.ts` checks that on random data and on the published
 * examples.
 *
 * Every `add` takes a `weight`: adding an item with weight w is adding it w times. SQL can then group
 * identical items (the same label counts) and send each distinct one once.
 */

/** How many answers each label got on one item: `{ pos: 2, neg: 1 }`, or the same as a Map. */
export type LabelCounts = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

function entriesOf(counts: LabelCounts, who: string): Array<[string, number]> {
  const entries = counts instanceof Map ? [...counts.entries()] : Object.entries(counts);
  for (const [label, count] of entries) {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`${who}: the count for ${JSON.stringify(label)} must be a whole number ≥ 0`);
  }
  return entries.filter(([, count]) => count > 0);
}

function checkWeight(weight: number, who: string): void {
  if (!Number.isSafeInteger(weight) || weight < 1)
    throw new RangeError(`${who}: weight must be a whole number ≥ 1`);
}

/**
 * Fleiss' kappa, the general form that tolerates varying numbers of ratings per item (see
 * `fleissKappa`): fed the label counts of one item at a time. An item rated once counts towards the
 * label shares only; an unrated item is ignored.
 */
export class FleissKappaAccumulator {
  private rated = 0;
  private paired = 0;
  private agreementSum = 0;
  private readonly shareSums = new Map<string, number>();

  add(counts: LabelCounts, weight = 1): void {
    checkWeight(weight, 'FleissKappaAccumulator');
    const entries = entriesOf(counts, 'FleissKappaAccumulator');
    let r = 0;
    for (const [, count] of entries) r += count;
    if (r === 0) return;
    this.rated += weight;
    let agreeingPairs = 0;
    for (const [label, count] of entries) {
      this.shareSums.set(label, (this.shareSums.get(label) ?? 0) + (weight * count) / r);
      agreeingPairs += count * (count - 1);
    }
    if (r >= 2) {
      this.paired += weight;
      this.agreementSum += (weight * agreeingPairs) / (r * (r - 1));
    }
  }

  /** Items with two or more ratings: those whose agreement is observed. */
  get pairedItems(): number {
    return this.paired;
  }

  /** κ, or null when no item has two ratings or a single label was used throughout. */
  value(): number | null {
    if (this.paired === 0 || this.shareSums.size < 2) return null;
    const observed = this.agreementSum / this.paired;
    let expected = 0;
    for (const sum of this.shareSums.values()) expected += (sum / this.rated) ** 2;
    return (observed - expected) / (1 - expected);
  }
}

/**
 * Krippendorff's alpha at the nominal level (see `krippendorffAlpha`), fed the value counts of one unit
 * at a time. Which coder gave which value does not enter the coefficient, so counts are all it needs.
 * Units with fewer than two values are not pairable and are skipped.
 */
export class NominalAlphaAccumulator {
  private n = 0;
  private observed = 0; // Σ_{c≠k} o_ck
  private readonly totals = new Map<string, number>();

  add(counts: LabelCounts, weight = 1): void {
    checkWeight(weight, 'NominalAlphaAccumulator');
    const entries = entriesOf(counts, 'NominalAlphaAccumulator');
    let m = 0;
    let sameValuePairs = 0;
    for (const [, count] of entries) {
      m += count;
      sameValuePairs += count * count;
    }
    if (m < 2) return;
    this.n += weight * m;
    this.observed += (weight * (m * m - sameValuePairs)) / (m - 1);
    for (const [label, count] of entries)
      this.totals.set(label, (this.totals.get(label) ?? 0) + weight * count);
  }

  /** Pairable values seen so far. */
  get pairableValues(): number {
    return this.n;
  }

  /** α, or null when nothing is pairable or every pairable value is the same. */
  value(): number | null {
    if (this.totals.size < 2) return null;
    let sameValueExpected = 0;
    for (const total of this.totals.values()) sameValueExpected += total * total;
    return 1 - ((this.n - 1) * this.observed) / (this.n * this.n - sameValueExpected);
  }
}

/**
 * One unit's values for interval alpha, summarised as SQL's `count`, `sum` and `sum(v * v)` give them.
 * `min` and `max` tell a unanimous unit exactly; without them the unit is unanimous when `count ·
 * sumOfSquares = sum²`, which is exact for whole numbers (ratings) and may miss one by a rounding error
 * for other values.
 */
export interface IntervalUnitMoments {
  count: number;
  sum: number;
  sumOfSquares: number;
  min?: number;
  max?: number;
}

/**
 * Krippendorff's alpha at the interval level (see `krippendorffAlpha`), fed one unit at a time, either
 * its values or their moments. The pooled variance is merged unit by unit with the pairwise update of
 * Chan, Golub and LeVeque (1979), which stays accurate where `n·Σv² − (Σv)²` would cancel.
 */
export class IntervalAlphaAccumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0; // Σ (v − mean)² over the pooled values
  private observed = 0; // Σ o_ck (c − k)²
  /** The value of the first unanimous unit, and whether any pairable values differ. */
  private firstValue: number | undefined;
  private varied = false;

  /** A unit's values (nulls already left out). */
  addValues(values: readonly number[], weight = 1): void {
    checkWeight(weight, 'IntervalAlphaAccumulator');
    for (const v of values) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new TypeError(`IntervalAlphaAccumulator: values must be finite numbers, not ${String(v)}`);
    }
    const m = values.length;
    if (m < 2) return;
    if (values.every((v) => v === values[0])) {
      this.addUnit(m, values[0]!, 0, true, weight);
      return;
    }
    let sum = 0;
    for (const v of values) sum += v;
    const mean = sum / m;
    let squares = 0;
    for (const v of values) squares += (v - mean) ** 2;
    this.addUnit(m, mean, squares, false, weight);
  }

  /** A unit given by its moments. */
  addMoments(unit: IntervalUnitMoments, weight = 1): void {
    checkWeight(weight, 'IntervalAlphaAccumulator');
    const { count: m, sum, sumOfSquares, min, max } = unit;
    if (!Number.isSafeInteger(m) || m < 0)
      throw new RangeError('IntervalAlphaAccumulator: count must be a whole number ≥ 0');
    for (const v of [sum, sumOfSquares, min ?? 0, max ?? 0]) {
      if (!Number.isFinite(v))
        throw new TypeError(`IntervalAlphaAccumulator: moments must be finite numbers, not ${String(v)}`);
    }
    if (m < 2) return;
    const unanimous = min !== undefined && max !== undefined ? min === max : m * sumOfSquares === sum * sum;
    if (unanimous) {
      this.addUnit(m, min ?? sum / m, 0, true, weight);
      return;
    }
    // q − s²/m, clamped at 0 against rounding
    this.addUnit(m, sum / m, Math.max(0, sumOfSquares - (sum * sum) / m), false, weight);
  }

  private addUnit(m: number, mean: number, squares: number, unanimous: boolean, weight: number): void {
    // a unanimous unit contributes exactly 0 to the observed disagreement
    if (!unanimous) {
      this.observed += (weight * 2 * m * squares) / (m - 1);
      this.varied = true;
    } else if (this.firstValue === undefined) {
      this.firstValue = mean;
    } else if (mean !== this.firstValue) {
      this.varied = true;
    }
    // `weight` copies of the unit: weight·m values around the same mean, weight·squares within
    const nb = weight * m;
    const n = this.n + nb;
    const delta = mean - this.mean;
    this.mean += (delta * nb) / n;
    this.m2 += weight * squares + (delta * delta * this.n * nb) / n;
    this.n = n;
  }

  /** Pairable values seen so far. */
  get pairableValues(): number {
    return this.n;
  }

  /** α, or null when nothing is pairable or every pairable value is the same. */
  value(): number | null {
    if (this.n === 0 || !this.varied) return null;
    const expected = 2 * this.n * this.m2; // Σ n_c n_k (c − k)²
    return 1 - ((this.n - 1) * this.observed) / expected;
  }
}

/**
 * Cohen's kappa (see `cohensKappa`) fed one item's pair of labels at a time, in integer counts, so the
 * undefined case (both gave one and the same label throughout) is found exactly.
 */
export class CohensKappaAccumulator {
  private n = 0;
  private agreed = 0;
  private readonly countsA = new Map<string, number>();
  private readonly countsB = new Map<string, number>();

  add(a: string, b: string, weight = 1): void {
    checkWeight(weight, 'CohensKappaAccumulator');
    this.n += weight;
    if (a === b) this.agreed += weight;
    this.countsA.set(a, (this.countsA.get(a) ?? 0) + weight);
    this.countsB.set(b, (this.countsB.get(b) ?? 0) + weight);
  }

  get items(): number {
    return this.n;
  }

  /** κ, or null with no items or when `p_e = 1`. */
  value(): number | null {
    if (this.n === 0) return null;
    let chance = 0; // n² · p_e
    for (const [label, countA] of this.countsA) chance += countA * (this.countsB.get(label) ?? 0);
    const denominator = this.n * this.n - chance;
    if (denominator === 0) return null;
    return (this.n * this.agreed - chance) / denominator;
  }
}

/**
 * Whether an answer `label` on an item whose answers (this one included) have `counts` agrees with the
 * majority of the OTHER answers, leave-one-out as in `agreementWithMajority`: true when it equals their
 * unique most frequent label, false when another label is that, null when the others have no strict
 * majority (nobody else answered, or they tie). `counts` must include this answer.
 */
export function agreesWithMajorityOfOthers(counts: LabelCounts, label: string): boolean | null {
  const others = new Map(entriesOf(counts, 'agreesWithMajorityOfOthers'));
  const own = others.get(label) ?? 0;
  if (own < 1)
    throw new RangeError(
      `agreesWithMajorityOfOthers: the counts must include the answer ${JSON.stringify(label)}`,
    );
  others.set(label, own - 1);
  let top: string | null = null;
  let topCount = 0;
  let tied = false;
  for (const [l, c] of others) {
    if (c > topCount) {
      top = l;
      topCount = c;
      tied = false;
    } else if (c === topCount) {
      tied = true;
    }
  }
  if (topCount === 0 || tied) return null;
  return top === label;
}
