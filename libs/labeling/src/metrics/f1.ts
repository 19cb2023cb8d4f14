import type { BoxValue, SpanValue } from '@enclave/contracts';

/** Matches between a reference and a candidate list: true positives, false positives, false negatives. */
export interface F1Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface F1Score extends F1Counts {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Precision `tp / (tp + fp)`, recall `tp / (tp + fn)`, F1 `2tp / (2tp + fp + fn)`. When both lists are
 * empty (all counts 0) the two annotations agree that there is nothing to mark: all three are 1. A ratio
 * whose denominator is 0 while the other list is not empty is 0 (nothing claimed of something there, or
 * something claimed of nothing), and so is F1.
 */
function scoreCounts({ tp, fp, fn }: F1Counts): F1Score {
  const nothing = tp + fp + fn === 0;
  return {
    tp,
    fp,
    fn,
    precision: tp + fp > 0 ? tp / (tp + fp) : nothing ? 1 : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : nothing ? 1 : 0,
    f1: nothing ? 1 : (2 * tp) / (2 * tp + fp + fn),
  };
}

/**
 * Span F1 with exact matching: a candidate span is a true positive when the reference has a span with the
 * same start, end and label. `reference` is the gold or first annotator, `candidate` the one scored
 * against it; swapping them swaps precision and recall and leaves F1 unchanged. Lists are multisets (a
 * span given twice must be matched twice), though valid results never repeat a span.
 */
export function spanF1(reference: readonly SpanValue[], candidate: readonly SpanValue[]): F1Score {
  const unmatched = new Map<string, number>();
  for (const s of reference) {
    const key = spanKey(s);
    unmatched.set(key, (unmatched.get(key) ?? 0) + 1);
  }
  let tp = 0;
  for (const s of candidate) {
    const key = spanKey(s);
    const left = unmatched.get(key) ?? 0;
    if (left > 0) {
      tp++;
      unmatched.set(key, left - 1);
    }
  }
  return scoreCounts({ tp, fp: candidate.length - tp, fn: reference.length - tp });
}

function spanKey(s: SpanValue): string {
  return JSON.stringify([s.start, s.end, s.label]);
}

type Rect = Pick<BoxValue, 'x' | 'y' | 'width' | 'height'>;

/**
 * Intersection over union of two boxes, in [0, 1]; labels are ignored. Sides are measured between the
 * computed edges (`(x + width) − x`), the same way for the intersection and for each box, so a box
 * compared with itself gives exactly 1 and `iou(a, b) === iou(b, a)`. Boxes of zero area give 0.
 */
export function iou(a: Rect, b: Rect): number {
  const intersection =
    Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
    Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const union = area(a) + area(b) - intersection;
  return union > 0 ? intersection / union : 0;
}

function area(r: Rect): number {
  return Math.max(0, r.x + r.width - r.x) * Math.max(0, r.y + r.height - r.y);
}

/**
 * Box F1: a candidate box matches a reference box of the same label when their IoU is at least
 * `iouThreshold` (0.5 by default, SPEC §5; the boundary counts), each box matching at most one other.
 *
 * The matching is optimal, not greedy: the largest possible number of one-to-one matches (a maximum
 * bipartite matching, by augmenting paths). Greedy matching by highest IoU, the detection benchmarks'
 * habit, can pair one box with its best partner and so strand a second box whose only partner that was
 * (docs/metrics.md has an example). Between two people there is no detector confidence to order by, and
 * the maximum matching gives the same count whichever list comes first. Which box pairs with which among
 * equally good matchings does not change the counts.
 */
export function boxF1(
  reference: readonly BoxValue[],
  candidate: readonly BoxValue[],
  iouThreshold = 0.5,
): F1Score {
  if (!(iouThreshold >= 0 && iouThreshold <= 1))
    throw new RangeError(`boxF1: iouThreshold must be in [0, 1], not ${iouThreshold}`);
  // partners[i]: the candidate boxes reference box i may match
  const partners = reference.map((r) =>
    candidate.flatMap((c, j) => (c.label === r.label && iou(r, c) >= iouThreshold ? [j] : [])),
  );
  const tp = maximumMatching(partners, candidate.length);
  return scoreCounts({ tp, fp: candidate.length - tp, fn: reference.length - tp });
}

/** Size of a maximum matching in a bipartite graph given as adjacency lists (Kuhn's augmenting paths). */
function maximumMatching(partners: readonly (readonly number[])[], rightSize: number): number {
  const matchOfRight = new Array<number>(rightSize).fill(-1);
  const augment = (left: number, visited: boolean[]): boolean => {
    for (const right of partners[left] ?? []) {
      if (visited[right]) continue;
      visited[right] = true;
      const holder = matchOfRight[right] ?? -1;
      if (holder === -1 || augment(holder, visited)) {
        matchOfRight[right] = left;
        return true;
      }
    }
    return false;
  };
  let size = 0;
  for (let left = 0; left < partners.length; left++) {
    if (augment(left, new Array<boolean>(rightSize).fill(false))) size++;
  }
  return size;
}

/**
 * Micro-averaged (pooled) precision, recall and F1 over many items: the counts are summed, then scored,
 * so an item with many spans weighs more than one with few. No counts, or all zero, score 1 like two
 * empty lists.
 */
export function microF1(counts: Iterable<F1Counts>): F1Score {
  const total = { tp: 0, fp: 0, fn: 0 };
  for (const c of counts) {
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
  }
  return scoreCounts(total);
}
