/**
 * Helpers for the project statistics: the API aggregates in SQL and streams compact rows in, so each is
 * linear in its input.
 */

/**
 * The median, the mean of the two middle values for an even count; null for no values. Linear time by
 * selection (quickselect with a three-way partition, which handles the many repeats of rating data, and a
 * median-of-medians pivot if the range stops halving, which bounds the worst case). Copies its input.
 */
export function median(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const a = Float64Array.from(values);
  for (const v of a) if (Number.isNaN(v)) throw new RangeError('median: NaN is not a value');
  const upper = n >> 1;
  const upperValue = select(a, upper, 0, n - 1);
  if (n % 2 === 1) return upperValue;
  // after selection everything before `upper` is ≤ its value, so the lower middle is their maximum
  let lowerValue = -Infinity;
  for (let i = 0; i < upper; i++) if (a[i]! > lowerValue) lowerValue = a[i]!;
  return (lowerValue + upperValue) / 2;
}

/** The `k`-th smallest of `a[lo..hi]`, leaving smaller values before `k` and larger after. */
function select(a: Float64Array, k: number, lo: number, hi: number): number {
  let checkpoint = hi - lo + 1;
  let rounds = 0;
  let guaranteed = false;
  for (;;) {
    if (lo === hi) return a[lo]!;
    const pivot = guaranteed ? medianOfMedians(a, lo, hi) : medianOfThree(a[lo]!, a[(lo + hi) >> 1]!, a[hi]!);
    // Dutch national flag: [lo, lt) < pivot, [lt, gt] = pivot, (gt, hi] > pivot
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = a[i]!;
      if (v < pivot) swap(a, i++, lt++);
      else if (v > pivot) swap(a, i, gt--);
      else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
    // the range must halve every two rounds; if not, the input defeats median-of-three: switch pivots
    if (++rounds % 2 === 0) {
      const size = hi - lo + 1;
      if (size > checkpoint / 2) guaranteed = true;
      checkpoint = size;
    }
  }
}

function medianOfThree(x: number, y: number, z: number): number {
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}

/** A pivot with at least ~30% of `a[lo..hi]` on either side (Blum, Floyd, Pratt, Rivest, Tarjan 1973). */
function medianOfMedians(a: Float64Array, lo: number, hi: number): number {
  let write = lo;
  for (let start = lo; start <= hi; start += 5) {
    const end = Math.min(start + 4, hi);
    insertionSort(a, start, end);
    swap(a, write++, (start + end) >> 1);
  }
  // the group medians now sit in a[lo..write-1]
  return select(a, (lo + write - 1) >> 1, lo, write - 1);
}

function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** The label given most often; null for no labels or when two or more labels share the top count. */
export function majorityLabel(labels: Iterable<string>): string | null {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return topLabel(counts).label;
}

interface Top {
  /** The unique most frequent label, null on a tie or when there is none. */
  label: string | null;
  count: number;
  /** How many labels have `count`. */
  tied: number;
  /** The highest count below `count` (0 if none). */
  runnerUp: number;
}

function topLabel(counts: ReadonlyMap<string, number>): Top {
  let label: string | null = null;
  let count = 0;
  let tied = 0;
  let runnerUp = 0;
  for (const [l, c] of counts) {
    if (c > count) {
      runnerUp = count;
      label = l;
      count = c;
      tied = 1;
    } else if (c === count) {
      tied++;
    } else if (c > runnerUp) {
      runnerUp = c;
    }
  }
  return { label: tied === 1 ? label : null, count, tied, runnerUp };
}

/** One choice answer: the label `annotator` gave `item`. */
export interface ChoiceAnswer {
  item: string;
  annotator: string;
  label: string;
}

export interface AnnotatorAgreement {
  annotator: string;
  /** Answers on items where the other annotators had a majority. */
  compared: number;
  /** Of those, the answers equal to that majority. */
  agreed: number;
  /** `agreed / compared`; null when nothing could be compared. */
  rate: number | null;
}

/**
 * Per annotator, the share of their choice answers that match the majority of the OTHER annotators of
 * the same item (leave-one-out, so an annotator's own answer never props up the majority it is judged
 * by). An answer is compared only when the others have a strict majority label: an item nobody else
 * answered, or where the others tie, does not count for or against. Annotators appear in the order of
 * their first answer, those with nothing comparable with `rate: null`.
 *
 * Each row is one answer; an annotator answers an item once. Linear: per item the counts are tallied
 * once, and each answer's leave-one-out majority follows from the top count, how many labels share it and
 * the runner-up count.
 */
export function agreementWithMajority(answers: Iterable<ChoiceAnswer>): AnnotatorAgreement[] {
  const byItem = new Map<string, { counts: Map<string, number>; answers: ChoiceAnswer[] }>();
  const byAnnotator = new Map<string, AnnotatorAgreement>();
  for (const answer of answers) {
    let entry = byItem.get(answer.item);
    if (entry === undefined) {
      entry = { counts: new Map(), answers: [] };
      byItem.set(answer.item, entry);
    }
    entry.counts.set(answer.label, (entry.counts.get(answer.label) ?? 0) + 1);
    entry.answers.push(answer);
    if (!byAnnotator.has(answer.annotator))
      byAnnotator.set(answer.annotator, { annotator: answer.annotator, compared: 0, agreed: 0, rate: null });
  }
  for (const { counts, answers: itemAnswers } of byItem.values()) {
    const top = topLabel(counts);
    for (const answer of itemAnswers) {
      const agrees = agreesWithOthers(answer.label, counts.get(answer.label) ?? 0, top);
      if (agrees === null) continue;
      const stats = byAnnotator.get(answer.annotator)!;
      stats.compared++;
      if (agrees) stats.agreed++;
    }
  }
  const out = [...byAnnotator.values()];
  for (const stats of out) stats.rate = stats.compared > 0 ? stats.agreed / stats.compared : null;
  return out;
}

/**
 * Whether `label` equals the others' majority once this one answer is taken out; null when the others
 * have none. Taking it out lowers only `label`'s count, by one.
 */
function agreesWithOthers(label: string, labelCount: number, top: Top): boolean | null {
  if (labelCount === top.count) {
    if (top.tied === 1) {
      // `label` led alone; it still leads unless the runner-up catches up (or nobody else answered)
      return top.count - 1 > top.runnerUp ? true : null;
    }
    // `label` shared the lead: one rival left alone at the top is a majority, two or more tie
    return top.tied === 2 ? false : null;
  }
  // `label` was behind: the leader is unchanged, and a majority only if it led alone
  return top.tied === 1 ? false : null;
}
