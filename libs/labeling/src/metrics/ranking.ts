/**
 * Kendall's tau-a (Kendall 1938) between two complete rankings of the same ids, each best first:
 * `τ = (C − D) / (n(n − 1)/2)` over the pairs of ids, concordant when both rankings order the pair the
 * same way, discordant otherwise. Rankings are strict (no ties), so tau-b's tie correction is moot.
 *
 * Null when there are fewer than two ids (no pairs), when the two lists do not hold the same ids, or
 * when either repeats an id. O(n log n): the discordant pairs are the inversions of `b` written as
 * positions in `a`, counted by merge sort.
 */
export function kendallTau(a: readonly string[], b: readonly string[]): number | null {
  const n = a.length;
  if (n < 2 || b.length !== n) return null;
  const positionInA = new Map<string, number>();
  a.forEach((id, i) => positionInA.set(id, i));
  if (positionInA.size !== n) return null;
  const seen = new Array<boolean>(n).fill(false);
  const sequence: number[] = [];
  for (const id of b) {
    const p = positionInA.get(id);
    if (p === undefined || seen[p]) return null;
    seen[p] = true;
    sequence.push(p);
  }
  const pairs = (n * (n - 1)) / 2;
  return (pairs - 2 * countInversions(sequence)) / pairs;
}

/** Pairs i < j with `values[i] > values[j]`; sorts `values` in place. */
function countInversions(values: number[]): number {
  const buffer = new Array<number>(values.length);
  let inversions = 0;
  // bottom-up merge sort: no recursion depth to worry about
  for (let width = 1; width < values.length; width *= 2) {
    for (let lo = 0; lo < values.length - width; lo += 2 * width) {
      const mid = lo + width;
      const hi = Math.min(lo + 2 * width, values.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const left = values[i]!;
        const right = values[j]!;
        if (left <= right) {
          buffer[k++] = left;
          i++;
        } else {
          buffer[k++] = right;
          j++;
          inversions += mid - i; // every remaining left value is greater than `right`
        }
      }
      while (i < mid) buffer[k++] = values[i++]!;
      while (j < hi) buffer[k++] = values[j++]!;
      for (let t = lo; t < hi; t++) values[t] = buffer[t]!;
    }
  }
  return inversions;
}
