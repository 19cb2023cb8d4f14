import type {
  LabelQuestion,
  MultiChoiceQuestion,
  PairwiseQuestion,
  RatingQuestion,
  SingleChoiceQuestion,
  TimelineDay,
} from '@enclave/contracts';
import {
  agreesWithMajorityOfOthers,
  CohensKappaAccumulator,
  FleissKappaAccumulator,
  IntervalAlphaAccumulator,
  NominalAlphaAccumulator,
} from '@enclave/labeling';

/**
 * The counted pass: agreement on the questions whose answers can be counted (single_choice, pairwise,
 * multi_choice, rating) and the timeline. One SQL statement reads the project's counted annotations once
 * and returns, per question, how many answers fall in each (annotator, own answer, item's label counts)
 * group: a few thousand rows where the annotations are a million. Those rows are folded here into the
 * streaming accumulators of `@enclave/labeling` (docs/stats.md).
 *
 * An item's label counts travel as one number, `Σ 64^(label index)` over its answers (a "count key"):
 * base 64 because an item has at most 50 counted answers (the largest overlap), so each digit is one
 * label's count. Grouping by it groups identical items, which the accumulators take with a weight.
 */

export type CountedQuestion = SingleChoiceQuestion | PairwiseQuestion | MultiChoiceQuestion | RatingQuestion;

export function isCountedQuestion(q: LabelQuestion): q is CountedQuestion {
  return (
    q.type === 'single_choice' || q.type === 'pairwise' || q.type === 'multi_choice' || q.type === 'rating'
  );
}

/** Answers a choice answer is counted under, in a fixed order; an answer is its position here (from 1). */
export function choiceLabels(q: SingleChoiceQuestion | PairwiseQuestion | MultiChoiceQuestion): string[] {
  return q.type === 'pairwise' ? ['a', 'b', 'tie'] : [...q.options];
}

const BASE = 64n;
/** Up to 5 labels the keys fit in a 4-byte integer (64⁵ = 2³⁰), which PostgreSQL sums fastest. */
const INT_LABELS = 5;

/** Weights of the labels in a count key, as decimal strings, and the SQL type that holds them. */
export function countKeyWeights(labelCount: number): { sqlType: 'int' | 'numeric'; weights: string[] } {
  const weights: string[] = [];
  let w = 1n;
  for (let i = 0; i < labelCount; i++) {
    weights.push(w.toString());
    w *= BASE;
  }
  return { sqlType: labelCount <= INT_LABELS ? 'int' : 'numeric', weights };
}

/** The per-label counts of a count key (digits in base 64, least significant first), `width` of them. */
export function decodeCountKey(key: string, width: number): number[] {
  let rest = BigInt(key);
  if (rest < 0n) throw new RangeError(`count key ${key} is negative`);
  const digits: number[] = [];
  for (let i = 0; i < width; i++) {
    digits.push(Number(rest % BASE));
    rest /= BASE;
  }
  if (rest !== 0n) throw new RangeError(`count key ${key} has more than ${width} labels`);
  return digits;
}

export interface PassStatement {
  text: string;
  params: unknown[];
}

/** Up to this many options, a multi-choice mask is built by testing each option; beyond, by reading the picks. */
const OPTION_TESTS = 16;

/**
 * The statement for one pass over the project's counted annotations ($1 org, $2 project), for up to a
 * handful of questions. Per question i it turns each answer into its own value `x_i` (label index, pick
 * mask, or rating), computes the item's count key `k_i` and answer count `r_i` by a window over the item
 * (ratings: `r_i`, `s_i = Σv`, `q_i = Σv²`), then groups:
 *
 * - choice: (annotator, own answer, count key); multi_choice: the same and r;
 * - rating: (own value, r, Σv, Σv²) for alpha, and (annotator, own value, r) for who was compared.
 *
 * With `timeline`, the same pass also counts submissions per UTC day, and items per day of their last
 * counted answer with their number of answers (an item is complete once it has `overlap` of them).
 *
 * Question names, labels and weights are parameters; only indexes are written into the SQL text.
 */
export function countedPassSql(
  questions: readonly CountedQuestion[],
  opts: { timeline: boolean },
): PassStatement {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string): string => {
    params.push(value);
    return `$${params.length + 2}::${cast}`;
  };
  // Level 1 reads each answer once: a choice straight to its label index; a multi-choice or rating
  // answer as its JSON value `j_i`, which level 2 tests (type, options) without reading the row again.
  const read: string[] = [];
  const own: string[] = [];
  const windows: string[] = [];
  const sets: string[] = [];
  questions.forEach((q, i) => {
    const name = param(q.name, 'text');
    const j = `j${i}`;
    windows.push(`${i} AS g${i}`, `x${i} AS o${i}`);
    if (q.type === 'rating') {
      read.push(`a.result->${name} AS ${j}`);
      own.push(`CASE WHEN jsonb_typeof(${j}) = 'number' THEN ${j}::float8 END AS x${i}`);
      windows.push(
        `count(x${i}) OVER item AS r${i}`,
        `sum(x${i}) OVER item AS s${i}`,
        `sum(x${i} * x${i}) OVER item AS q${i}`,
      );
      sets.push(`(g${i}, o${i}, r${i}, s${i}, q${i})`, `(g${i}, user_id, o${i}, r${i})`);
      return;
    }
    const labels = choiceLabels(q);
    const { sqlType, weights } = countKeyWeights(labels.length);
    const labelList = param(labels, 'text[]');
    const weightList = param(weights, `${sqlType}[]`);
    if (q.type === 'multi_choice') {
      // the picks as one mask, Σ 64^(option index); validated answers pick each option once
      const mask =
        labels.length <= OPTION_TESTS
          ? labels
              .map(
                (_, o) =>
                  `CASE WHEN ${j} ? (${labelList})[${o + 1}] THEN (${weightList})[${o + 1}] ELSE 0 END`,
              )
              .join(' + ')
          : `coalesce((SELECT sum((${weightList})[array_position(${labelList}, e)]) FROM jsonb_array_elements_text(${j}) e), 0)`;
      read.push(`a.result->${name} AS ${j}`);
      own.push(`CASE WHEN jsonb_typeof(${j}) = 'array' THEN (${mask})::${sqlType} END AS x${i}`);
      windows.push(`sum(x${i}) OVER item AS k${i}`, `count(x${i}) OVER item AS r${i}`);
      sets.push(`(g${i}, user_id, o${i}, k${i}, r${i})`);
    } else {
      // the label's position among the options (null for anything else); an item's answer count is the
      // sum of its key's digits
      read.push(`array_position(${labelList}, a.result->>${name}) AS x${i}`);
      own.push(`x${i}`);
      windows.push(`sum((${weightList})[x${i}]) OVER item AS k${i}`);
      sets.push(`(g${i}, user_id, o${i}, k${i})`);
    }
  });
  if (opts.timeline) {
    windows.push(
      `(submitted_at AT TIME ZONE 'UTC')::date AS submitted_day`,
      `(max(submitted_at) OVER item AT TIME ZONE 'UTC')::date AS last_day`,
      'count(*) OVER item AS answers_all',
    );
    sets.push('(submitted_day)', '(last_day, answers_all)');
  }

  // columns of the questions of some kinds; coalesced, they make one output column (a row belongs to one set)
  const columns = (prefix: string, kinds: ReadonlyArray<CountedQuestion['type']>, cast = '') =>
    questions.flatMap((q, i) => (kinds.includes(q.type) ? [`${prefix}${i}${cast}`] : []));
  const coalesced = (cols: string[], empty: string) =>
    cols.length > 0 ? `coalesce(${cols.join(', ')})` : empty;
  const ALL = ['single_choice', 'pairwise', 'multi_choice', 'rating'] as const;
  const KEYED = ['single_choice', 'pairwise', 'multi_choice'] as const;
  const COUNTED = ['multi_choice', 'rating'] as const;
  const grouped = [
    ...columns('g', ALL),
    ...columns('o', ALL),
    ...columns('k', KEYED),
    ...columns('r', COUNTED),
    ...columns('s', ['rating']),
    ...columns('q', ['rating']),
    ...(opts.timeline
      ? [
          'submitted_day',
          'last_day',
          'answers_all',
          `CASE WHEN GROUPING(submitted_day) = 0 THEN 'submitted' WHEN GROUPING(last_day) = 0 THEN 'completed' END AS timeline`,
        ]
      : []),
  ];
  const ownText = coalesced(columns('o', ALL, '::text'), 'NULL::text');
  const text = /* sql */ `
    WITH answers AS (
      SELECT ${['a.task_id', 'a.user_id', 'a.submitted_at', ...read].join(', ')}
        FROM annotations a
       WHERE a.org_id = $1 AND a.project_id = $2 AND a.status IN ('submitted', 'accepted') AND NOT a.is_gold
      OFFSET 0 -- each answer read once, and only the answers carried on, not the whole rows
    ), valued AS (
      SELECT ${['task_id', 'user_id', 'submitted_at', ...own].join(',\n             ')}
        FROM answers
      OFFSET 0
    ), keyed AS (
      SELECT user_id, ${windows.join(', ')}
        FROM valued WINDOW item AS (PARTITION BY task_id)
    ), grouped AS (
      SELECT ${[...grouped, 'user_id', 'count(*) AS n'].join(', ')}
        FROM keyed
       GROUP BY GROUPING SETS (${sets.join(', ')})
    )
    SELECT ${coalesced(columns('g', ALL), 'NULL::int')} AS question, user_id, ${ownText} AS own,
           ${coalesced(columns('k', KEYED, '::text'), 'NULL::text')} AS key,
           ${coalesced([...columns('r', COUNTED), ...(opts.timeline ? ['answers_all'] : [])], 'NULL::bigint')}::int AS answers_on_item,
           ${coalesced(columns('s', ['rating']), 'NULL::float8')} AS value_sum,
           ${coalesced(columns('q', ['rating']), 'NULL::float8')} AS value_sum_of_squares,
           ${opts.timeline ? 'timeline' : 'NULL::text'} AS timeline,
           ${opts.timeline ? "to_char(coalesce(submitted_day, last_day), 'YYYY-MM-DD')" : 'NULL::text'} AS day,
           n::int AS n
      FROM grouped
     WHERE ${ownText} IS NOT NULL${opts.timeline ? ' OR timeline IS NOT NULL' : ''}`;
  return { text, params };
}

/**
 * One row of the pass: `n` answers to `question` by `user_id` (null: all annotators) that were `own` on
 * items like `key`; or, `timeline` set, `n` submissions on `day` or `n` answers of items last answered on
 * `day` with `answers_on_item` answers each.
 */
export interface CountedRow {
  question: number | null;
  user_id: string | null;
  own: string | null;
  key: string | null;
  /** The item's number of answers (multi_choice, rating; for a choice question the key's digits add up to it). */
  answers_on_item: number | null;
  value_sum: number | null;
  value_sum_of_squares: number | null;
  timeline: 'submitted' | 'completed' | null;
  day: string | null;
  n: number;
}

export interface CountedFigures {
  items: number;
  answers: number;
  annotators: number;
  cohensKappa: number | null;
  fleissKappa: number | null;
  krippendorffAlpha: number | null;
  alphaLevel: 'nominal' | 'interval';
}

export interface MajorityTally {
  compared: number;
  agreed: number;
}

/** The answers compared so far, and who gave them: the same for every kind of question. */
class Compared {
  answers = 0;
  readonly annotators = new Set<string>();
}

/**
 * The items with exactly two answers, kept while at most two annotators have been compared: Cohen's
 * kappa applies only when the same two people answered every item compared.
 */
class PairRows<T> {
  private rows: Array<{ user: string; row: T; n: number }> | null = [];

  keep(compared: Compared, user: string, row: T, n: number): void {
    if (this.rows === null) return;
    if (compared.annotators.size > 2) this.rows = null;
    else this.rows.push({ user, row, n });
  }

  /** The rows of one of the two annotators (both describe the same items), or null when Cohen does not apply. */
  ofFirstAnnotator(compared: Compared): Array<{ row: T; n: number }> | null {
    if (this.rows === null || compared.annotators.size !== 2) return null;
    const first = [...compared.annotators].sort()[0]!;
    return this.rows.filter((r) => r.user === first);
  }
}

interface ChoicePattern {
  counts: Map<string, number>;
  r: number;
  answers: number;
}

/** single_choice and pairwise: nominal coefficients on the labels, and the majority of the others. */
class ChoiceTally {
  private readonly labels: string[];
  private readonly patterns = new Map<string, ChoicePattern>();
  private readonly compared = new Compared();
  private readonly pairs = new PairRows<{ own: string; counts: Map<string, number> }>();
  readonly majority = new Map<string, MajorityTally>();

  constructor(q: SingleChoiceQuestion | PairwiseQuestion) {
    this.labels = choiceLabels(q);
  }

  add(row: CountedRow): void {
    if (row.key === null || row.user_id === null || row.own === null) return;
    const own = this.labels[Number(row.own) - 1];
    if (own === undefined) return;
    let pattern = this.patterns.get(row.key);
    if (!pattern) {
      const digits = decodeCountKey(row.key, this.labels.length);
      const counts = new Map<string, number>();
      digits.forEach((count, i) => count > 0 && counts.set(this.labels[i]!, count));
      pattern = { counts, r: sum(digits), answers: 0 };
      this.patterns.set(row.key, pattern);
    }
    pattern.answers += row.n;
    if (pattern.r < 2) return;
    this.compared.annotators.add(row.user_id);
    this.compared.answers += row.n;
    const verdict = agreesWithMajorityOfOthers(pattern.counts, own);
    if (verdict !== null) {
      const tally = this.majority.get(row.user_id) ?? { compared: 0, agreed: 0 };
      tally.compared += row.n;
      if (verdict) tally.agreed += row.n;
      this.majority.set(row.user_id, tally);
    }
    if (pattern.r === 2) this.pairs.keep(this.compared, row.user_id, { own, counts: pattern.counts }, row.n);
  }

  figures(): CountedFigures {
    const fleiss = new FleissKappaAccumulator();
    const alpha = new NominalAlphaAccumulator();
    let itemsCompared = 0;
    for (const p of this.patterns.values()) {
      const items = p.answers / p.r;
      fleiss.add(p.counts, items);
      alpha.add(p.counts, items);
      if (p.r >= 2) itemsCompared += items;
    }
    let cohen: number | null = null;
    const firsts = this.pairs.ofFirstAnnotator(this.compared);
    if (firsts) {
      const acc = new CohensKappaAccumulator();
      for (const { row, n } of firsts) {
        // the other answer of a two-answer item is whatever remains once this one is taken out
        const other = [...row.counts].find(([label, count]) => label !== row.own || count === 2)![0];
        acc.add(row.own, other, n);
      }
      cohen = acc.value();
    }
    return figures(this.compared, itemsCompared, {
      cohensKappa: cohen,
      fleissKappa: fleiss.value(),
      krippendorffAlpha: alpha.value(),
      alphaLevel: 'nominal',
    });
  }
}

interface MultiPattern {
  ticks: number[];
  r: number;
  answers: number;
}

/**
 * multi_choice, per-option binary: each option of each item is a yes/no decision by each annotator, and
 * the coefficients pool those decisions over the options. An item answered by r annotators, k of whom
 * ticked option o, is the unit { yes: k, no: r − k }.
 */
class MultiChoiceTally {
  private readonly width: number;
  private readonly patterns = new Map<string, MultiPattern>();
  private readonly compared = new Compared();
  private readonly pairs = new PairRows<{ picks: number[]; ticks: number[] }>();

  constructor(q: MultiChoiceQuestion) {
    this.width = q.options.length;
  }

  add(row: CountedRow): void {
    if (row.key === null || row.user_id === null || row.own === null) return;
    const ticks = decodeCountKey(row.key, this.width);
    const picks = decodeCountKey(row.own, this.width);
    const r = row.answers_on_item ?? 0;
    if (r < 1 || ticks.some((k, o) => k > r || picks[o]! > 1 || picks[o]! > k)) return;
    const id = `${row.key}/${r}`;
    let pattern = this.patterns.get(id);
    if (!pattern) {
      pattern = { ticks, r, answers: 0 };
      this.patterns.set(id, pattern);
    }
    pattern.answers += row.n;
    if (r < 2) return;
    this.compared.annotators.add(row.user_id);
    this.compared.answers += row.n;
    if (r === 2) this.pairs.keep(this.compared, row.user_id, { picks, ticks }, row.n);
  }

  figures(): CountedFigures {
    const fleiss = new FleissKappaAccumulator();
    const alpha = new NominalAlphaAccumulator();
    let itemsCompared = 0;
    for (const p of this.patterns.values()) {
      const items = p.answers / p.r;
      for (const k of p.ticks) {
        const unit = { yes: k, no: p.r - k };
        fleiss.add(unit, items);
        alpha.add(unit, items);
      }
      if (p.r >= 2) itemsCompared += items;
    }
    let cohen: number | null = null;
    const firsts = this.pairs.ofFirstAnnotator(this.compared);
    if (firsts) {
      const acc = new CohensKappaAccumulator();
      for (const { row, n } of firsts) {
        row.ticks.forEach((k, o) => {
          const mine = row.picks[o]! === 1;
          acc.add(mine ? 'yes' : 'no', k - row.picks[o]! === 1 ? 'yes' : 'no', n);
        });
      }
      cohen = acc.value();
    }
    return figures(this.compared, itemsCompared, {
      cohensKappa: cohen,
      fleissKappa: fleiss.value(),
      krippendorffAlpha: alpha.value(),
      alphaLevel: 'nominal',
    });
  }
}

/** rating: interval alpha from each item's count, sum and sum of squares. */
class RatingTally {
  private readonly units = new Map<string, { m: number; sum: number; squares: number; answers: number }>();
  private readonly compared = new Compared();

  add(row: CountedRow): void {
    const m = row.answers_on_item ?? 0;
    if (row.user_id !== null) {
      // the (annotator, own value, r) grouping: who was compared
      if (m >= 2) {
        this.compared.annotators.add(row.user_id);
        this.compared.answers += row.n;
      }
      return;
    }
    if (row.value_sum === null || row.value_sum_of_squares === null) return;
    const id = `${m}/${row.value_sum}/${row.value_sum_of_squares}`;
    const unit = this.units.get(id) ?? {
      m,
      sum: row.value_sum,
      squares: row.value_sum_of_squares,
      answers: 0,
    };
    unit.answers += row.n;
    this.units.set(id, unit);
  }

  figures(): CountedFigures {
    const alpha = new IntervalAlphaAccumulator();
    let itemsCompared = 0;
    for (const u of this.units.values()) {
      const items = u.answers / u.m;
      alpha.addMoments({ count: u.m, sum: u.sum, sumOfSquares: u.squares }, items);
      if (u.m >= 2) itemsCompared += items;
    }
    return figures(this.compared, itemsCompared, {
      cohensKappa: null,
      fleissKappa: null,
      krippendorffAlpha: alpha.value(),
      alphaLevel: 'interval',
    });
  }
}

function figures(
  compared: Compared,
  items: number,
  metrics: Pick<CountedFigures, 'cohensKappa' | 'fleissKappa' | 'krippendorffAlpha' | 'alphaLevel'>,
): CountedFigures {
  return { items, answers: compared.answers, annotators: compared.annotators.size, ...metrics };
}

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

type Tally = ChoiceTally | MultiChoiceTally | RatingTally;

/** Submissions per UTC day, and items per day of their last counted answer with how many they have. */
class TimelineTally {
  private readonly submitted = new Map<string, number>();
  private readonly lastAnswered: Array<{ day: string; answers: number; n: number }> = [];

  add(row: CountedRow): void {
    if (row.day === null) return;
    if (row.timeline === 'submitted') this.submitted.set(row.day, (this.submitted.get(row.day) ?? 0) + row.n);
    else if (row.answers_on_item !== null)
      this.lastAnswered.push({ day: row.day, answers: row.answers_on_item, n: row.n });
  }

  /** `count` days ending with `today` (YYYY-MM-DD); an item is complete once it has `overlap` answers. */
  days(today: string, count: number, overlap: number): TimelineDay[] {
    const completed = new Map<string, number>();
    // each item's answers all carry its last day: n of them are n / answers items
    for (const r of this.lastAnswered) {
      if (r.answers >= overlap) completed.set(r.day, (completed.get(r.day) ?? 0) + r.n / r.answers);
    }
    const end = Date.parse(`${today}T00:00:00Z`);
    return Array.from({ length: count }, (_, i) => {
      const day = new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10);
      return { day, submitted: this.submitted.get(day) ?? 0, completedTasks: completed.get(day) ?? 0 };
    });
  }
}

/**
 * The rows of the passes over the counted annotations, folded as they arrive: agreement on some counted
 * questions and, from the pass that carries it, the timeline.
 */
export class CountedPass {
  private readonly tallies: Tally[];
  private readonly timelineTally = new TimelineTally();

  constructor(readonly questions: readonly CountedQuestion[]) {
    this.tallies = questions.map((q) =>
      q.type === 'rating'
        ? new RatingTally()
        : q.type === 'multi_choice'
          ? new MultiChoiceTally(q)
          : new ChoiceTally(q),
    );
  }

  /** A row of the pass over `questions[offset…]` (its `question` counts from `offset`). */
  add(row: CountedRow, offset = 0): void {
    if (row.timeline !== null) {
      this.timelineTally.add(row);
      return;
    }
    const tally = row.question === null ? undefined : this.tallies[offset + row.question];
    if (!tally) throw new RangeError(`no question ${row.question} in this pass`);
    tally.add(row);
  }

  figures(): Map<string, CountedFigures> {
    return new Map(this.questions.map((q, i) => [q.name, this.tallies[i]!.figures()]));
  }

  /** Per annotator, their single-choice and pairwise answers compared with the others' majority, and agreed. */
  majority(): Map<string, MajorityTally> {
    const out = new Map<string, MajorityTally>();
    for (const tally of this.tallies) {
      if (!(tally instanceof ChoiceTally)) continue;
      for (const [user, t] of tally.majority) {
        const sumSoFar = out.get(user) ?? { compared: 0, agreed: 0 };
        out.set(user, { compared: sumSoFar.compared + t.compared, agreed: sumSoFar.agreed + t.agreed });
      }
    }
    return out;
  }

  timeline(today: string, days: number, overlap: number): TimelineDay[] {
    return this.timelineTally.days(today, days, overlap);
  }
}
