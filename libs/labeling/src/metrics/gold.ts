import type { BoxValue, LabelConfig, LabelQuestion, SpanValue } from '@enclave/contracts';
import { boxF1, spanF1 } from './f1';
import { kendallTau } from './ranking';

/** IoU a box must reach to match the gold box (SPEC §5). */
export const GOLD_BOX_IOU = 0.5;

/**
 * How well one answer matches the gold answer, in [0, 1]; null when the question is not scorable.
 *
 * - single_choice, pairwise: 1 for the same choice, else 0.
 * - multi_choice: 1 for exactly the gold set of options (order ignored), else 0. Exact rather than
 *   Jaccard: a multi-choice gold answer is one fact ("these topics and no others"), and partial credit
 *   would let an annotator who ticks every box score well on most items.
 * - rating: `1 − |answer − gold| / (max − min)`, clamped to [0, 1].
 * - spans: exact-match F1 against the gold spans; bboxes: F1 at IoU ≥ 0.5. Both empty scores 1.
 * - ranking: Kendall's tau mapped to [0, 1] as `(τ + 1) / 2`.
 * - text: null; free text has no single right answer.
 *
 * Null too when there is no gold answer or it is not of the question's shape (a gold answer is data, and
 * a bad one should not score anybody). A missing or misshapen answer against a good gold answer is 0.
 */
export function scoreAgainstGold(question: LabelQuestion, answer: unknown, gold: unknown): number | null {
  switch (question.type) {
    case 'single_choice':
    case 'pairwise':
      if (typeof gold !== 'string') return null;
      return answer === gold ? 1 : 0;
    case 'multi_choice': {
      if (!isStringList(gold)) return null;
      if (!isStringList(answer)) return 0;
      const wanted = new Set(gold);
      const given = new Set(answer);
      return given.size === wanted.size && [...given].every((o) => wanted.has(o)) ? 1 : 0;
    }
    case 'rating': {
      if (!isFiniteNumber(gold)) return null;
      if (!isFiniteNumber(answer)) return 0;
      return Math.min(1, Math.max(0, 1 - Math.abs(answer - gold) / (question.max - question.min)));
    }
    case 'spans':
      if (!isList(gold, isSpan)) return null;
      if (!isList(answer, isSpan)) return 0;
      return spanF1(gold, answer).f1;
    case 'bboxes':
      if (!isList(gold, isBox)) return null;
      if (!isList(answer, isBox)) return 0;
      return boxF1(gold, answer, GOLD_BOX_IOU).f1;
    case 'ranking': {
      // a gold ranking of fewer than two ids orders nothing
      if (!isStringList(gold) || gold.length < 2 || new Set(gold).size !== gold.length) return null;
      const tau = isStringList(answer) ? kendallTau(gold, answer) : null;
      return tau === null ? 0 : (tau + 1) / 2;
    }
    case 'text':
      return null;
  }
}

export interface TaskGoldScore {
  /** The score of each question the gold answer covers and that can be scored. */
  perQuestion: Record<string, number>;
  /** The mean of `perQuestion`; null when it is empty. */
  overall: number | null;
}

/**
 * Scores an annotation's result against a gold task's answer: each question of the config that the gold
 * answer covers (present and not null), except those that cannot be scored (text), then their mean. A
 * question the annotator left out while the gold answers it scores 0.
 */
export function scoreTaskAgainstGold(
  config: LabelConfig,
  result: Readonly<Record<string, unknown>>,
  goldResult: Readonly<Record<string, unknown>>,
): TaskGoldScore {
  const perQuestion: Record<string, number> = {};
  let sum = 0;
  let count = 0;
  for (const q of config.questions) {
    const gold = own(goldResult, q.name);
    if (gold === undefined || gold === null) continue;
    const score = scoreAgainstGold(q, own(result, q.name), gold);
    if (score === null) continue;
    perQuestion[q.name] = score;
    sum += score;
    count++;
  }
  return { perQuestion, overall: count > 0 ? sum / count : null };
}

// question names such as `constructor` are valid; a plain lookup would find the prototype's
function own(obj: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isList<T>(v: unknown, isItem: (x: unknown) => x is T): v is T[] {
  return Array.isArray(v) && v.every(isItem);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSpan(v: unknown): v is SpanValue {
  return isRecord(v) && isFiniteNumber(v.start) && isFiniteNumber(v.end) && typeof v.label === 'string';
}

function isBox(v: unknown): v is BoxValue {
  return (
    isRecord(v) &&
    isFiniteNumber(v.x) &&
    isFiniteNumber(v.y) &&
    isFiniteNumber(v.width) &&
    isFiniteNumber(v.height) &&
    typeof v.label === 'string'
  );
}
