import type {
  BboxesQuestion,
  BoxValue,
  LabelQuestion,
  RankingQuestion,
  SpanValue,
  SpansQuestion,
} from '@enclave/contracts';
import { boxF1, kendallTau, microF1, spanF1, type F1Counts } from '@enclave/labeling';

/**
 * Agreement on the questions whose answers must be compared whole: spans, bboxes, ranking. Nothing
 * short of the full answers says whether two span lists match, so these are computed over a bounded
 * sample of items (the service reads the most recently imported ones), one item at a time.
 *
 * Every unordered pair of annotators of an item is compared: spans and boxes pool the matches of all
 * pairs (micro-averaged F1, so an item with many spans weighs more), rankings average Kendall's tau over
 * the pairs. An answer of the wrong shape is left out, as if not given.
 */

export type SampledQuestion = SpansQuestion | BboxesQuestion | RankingQuestion;

export function isSampledQuestion(q: LabelQuestion): q is SampledQuestion {
  return q.type === 'spans' || q.type === 'bboxes' || q.type === 'ranking';
}

/** The IoU at which two boxes of the same label match (SPEC §5). */
export const AGREEMENT_BOX_IOU = 0.5;

export interface SampledFigures {
  items: number;
  answers: number;
  annotators: number;
  spanF1: number | null;
  boxF1: number | null;
  kendallTau: number | null;
}

/** One annotator's answer to a sampled question on one item. */
export interface SampledAnswer {
  userId: string;
  value: unknown;
}

class PairTally {
  items = 0;
  answers = 0;
  readonly annotators = new Set<string>();
  pairs = 0;
  readonly f1: F1Counts = { tp: 0, fp: 0, fn: 0 };
  tauSum = 0;
  tauPairs = 0;
}

export class SampledAgreement {
  private readonly tallies = new Map<string, PairTally>();

  constructor(readonly questions: readonly SampledQuestion[]) {
    for (const q of questions) this.tallies.set(q.name, new PairTally());
  }

  /** The answers of one item to `question`; fewer than two valid ones compare nothing. */
  addItem(question: SampledQuestion, answers: readonly SampledAnswer[]): void {
    const tally = this.tallies.get(question.name);
    if (!tally) throw new RangeError(`question ${question.name} is not sampled`);
    const valid = answers.filter((a) => isAnswerOf(question, a.value));
    if (valid.length < 2) return;
    tally.items++;
    tally.answers += valid.length;
    for (const a of valid) tally.annotators.add(a.userId);
    for (let i = 0; i < valid.length; i++) {
      for (let j = i + 1; j < valid.length; j++) {
        const a = valid[i]!.value;
        const b = valid[j]!.value;
        tally.pairs++;
        if (question.type === 'ranking') {
          const tau = kendallTau(a as string[], b as string[]);
          if (tau !== null) {
            tally.tauSum += tau;
            tally.tauPairs++;
          }
        } else {
          const score =
            question.type === 'spans'
              ? spanF1(a as SpanValue[], b as SpanValue[])
              : boxF1(a as BoxValue[], b as BoxValue[], AGREEMENT_BOX_IOU);
          tally.f1.tp += score.tp;
          tally.f1.fp += score.fp;
          tally.f1.fn += score.fn;
        }
      }
    }
  }

  figures(): Map<string, SampledFigures> {
    const out = new Map<string, SampledFigures>();
    for (const q of this.questions) {
      const t = this.tallies.get(q.name)!;
      const f1 = t.pairs > 0 ? microF1([t.f1]).f1 : null;
      out.set(q.name, {
        items: t.items,
        answers: t.answers,
        annotators: t.annotators.size,
        spanF1: q.type === 'spans' ? f1 : null,
        boxF1: q.type === 'bboxes' ? f1 : null,
        kendallTau: q.type === 'ranking' && t.tauPairs > 0 ? t.tauSum / t.tauPairs : null,
      });
    }
    return out;
  }
}

function isAnswerOf(q: SampledQuestion, value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  switch (q.type) {
    case 'spans':
      return value.every(isSpan);
    case 'bboxes':
      return value.every(isBox);
    case 'ranking':
      return value.every((v) => typeof v === 'string');
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isSpan(v: unknown): boolean {
  return isRecord(v) && isFiniteNumber(v.start) && isFiniteNumber(v.end) && typeof v.label === 'string';
}

function isBox(v: unknown): boolean {
  return (
    isRecord(v) &&
    isFiniteNumber(v.x) &&
    isFiniteNumber(v.y) &&
    isFiniteNumber(v.width) &&
    isFiniteNumber(v.height) &&
    typeof v.label === 'string'
  );
}
