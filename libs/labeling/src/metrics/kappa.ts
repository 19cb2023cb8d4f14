/**
 * Chance-corrected agreement on nominal labels: Cohen's kappa for two annotators, Fleiss' kappa for many.
 * Both are `(observed − expected) / (1 − expected)` agreement and both are undefined (null here) when
 * chance alone already explains perfect agreement, i.e. when every label given is the same one.
 */

/**
 * Cohen's kappa (Cohen 1960) for two annotators over the same items; each pair is the two labels one item
 * received. `κ = (p_o − p_e) / (1 − p_e)` with `p_e = Σ_k p_a(k)·p_b(k)` from each annotator's own
 * label frequencies.
 *
 * Null when there are no items, or when `p_e = 1` (both annotators gave one and the same label to every
 * item: then `p_o = 1` too and the ratio is 0/0). Computed in integer counts, `(n·agreed − Σ n_a·n_b) /
 * (n² − Σ n_a·n_b)`, so that case is detected exactly rather than as a float a hair below 1; exact up to
 * about 9·10⁷ items.
 */
export function cohensKappa(pairs: ReadonlyArray<readonly [a: string, b: string]>): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  let agreed = 0;
  for (const [a, b] of pairs) {
    if (a === b) agreed++;
    countsA.set(a, (countsA.get(a) ?? 0) + 1);
    countsB.set(b, (countsB.get(b) ?? 0) + 1);
  }
  let chance = 0; // n² · p_e
  for (const [label, countA] of countsA) chance += countA * (countsB.get(label) ?? 0);
  const denominator = n * n - chance;
  if (denominator === 0) return null;
  return (n * agreed - chance) / denominator;
}

/** One item for Fleiss' kappa: the labels it received, or how many ratings each label got. */
export type FleissItem = readonly string[] | Readonly<Record<string, number>>;

function labelCounts(item: FleissItem): Iterable<readonly [string, number]> {
  if (isLabelList(item)) {
    const counts = new Map<string, number>();
    for (const label of item) counts.set(label, (counts.get(label) ?? 0) + 1);
    return counts;
  }
  const entries = Object.entries(item);
  for (const [label, count] of entries) {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`fleissKappa: the count for ${JSON.stringify(label)} must be a whole number ≥ 0`);
  }
  return entries;
}

// Array.isArray does not narrow a readonly array out of a union
function isLabelList(item: FleissItem): item is readonly string[] {
  return Array.isArray(item);
}

/**
 * Fleiss' kappa (Fleiss 1971) for items rated by several annotators each: an item is the list of labels
 * it received (`['pos', 'pos', 'neg']`) or the count per label (`{ pos: 2, neg: 1 }`, what a SQL
 * `GROUP BY item, label` returns).
 *
 * Fleiss assumes every item has the same number of ratings `r`. This is the general form that tolerates
 * varying numbers (Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed.; `fleiss.kappa.raw` in the R
 * package irrCAC), which is identical to Fleiss' when `r` is constant:
 *
 * - observed agreement `p̄ = mean over items with r_i ≥ 2 of Σ_k r_ik(r_ik − 1) / (r_i(r_i − 1))`;
 * - label shares `π_k = mean over items with r_i ≥ 1 of r_ik / r_i` (each item weighs the same);
 * - `p̄_e = Σ_k π_k²`, `κ = (p̄ − p̄_e) / (1 − p̄_e)`.
 *
 * An item with one rating tells nothing about agreement but does about how often each label is used, so
 * it counts towards `π` only; an item with none is ignored. Null when no item has two ratings, or when
 * a single label was used throughout (`p̄_e = 1`).
 */
export function fleissKappa(items: ReadonlyArray<FleissItem>): number | null {
  let rated = 0;
  let paired = 0;
  let agreementSum = 0;
  const shareSums = new Map<string, number>();
  for (const item of items) {
    const counts = [...labelCounts(item)].filter(([, count]) => count > 0);
    let r = 0;
    for (const [, count] of counts) r += count;
    if (r === 0) continue;
    rated++;
    let agreeingPairs = 0;
    for (const [label, count] of counts) {
      shareSums.set(label, (shareSums.get(label) ?? 0) + count / r);
      agreeingPairs += count * (count - 1);
    }
    if (r >= 2) {
      paired++;
      agreementSum += agreeingPairs / (r * (r - 1));
    }
  }
  // one label throughout: p̄_e = 1 exactly, κ is 0/0 (checked on the labels, not on a float sum)
  if (paired === 0 || shareSums.size < 2) return null;
  const observed = agreementSum / paired;
  let expected = 0;
  for (const sum of shareSums.values()) expected += (sum / rated) ** 2;
  return (observed - expected) / (1 - expected);
}
