import type { AnnotatorStats } from '@enclave/contracts';
import type { ProjectStatsView, QuestionAgreement } from '@enclave/contracts';
import type { Bar } from './BarChart';
import { dayNumber } from './scale';

export type MetricKey =
  'krippendorffAlpha' | 'fleissKappa' | 'cohensKappa' | 'spanF1' | 'boxF1' | 'kendallTau';

export const METRIC_LABELS: Record<MetricKey, string> = {
  krippendorffAlpha: 'Krippendorff’s α',
  fleissKappa: 'Fleiss’ κ',
  cohensKappa: 'Cohen’s κ',
  spanF1: 'span F1',
  boxF1: 'box F1',
  kendallTau: 'Kendall’s τ',
};

/** The metric that best describes each question type's agreement, best first (SPEC §5). */
const PREFERRED: Record<string, MetricKey[]> = {
  single_choice: ['krippendorffAlpha', 'fleissKappa', 'cohensKappa'],
  multi_choice: ['krippendorffAlpha', 'fleissKappa', 'cohensKappa'],
  pairwise: ['krippendorffAlpha', 'fleissKappa', 'cohensKappa'],
  rating: ['krippendorffAlpha', 'fleissKappa', 'cohensKappa'],
  spans: ['spanF1'],
  bboxes: ['boxF1'],
  ranking: ['kendallTau'],
};
const ALL_METRICS = Object.keys(METRIC_LABELS) as MetricKey[];

/** The question's headline metric: the first its type prefers that has a value. */
export function headlineMetric(q: QuestionAgreement): { key: MetricKey; value: number } | null {
  for (const key of [...(PREFERRED[q.type] ?? []), ...ALL_METRICS]) {
    const value = q[key];
    if (typeof value === 'number' && Number.isFinite(value)) return { key, value };
  }
  return null;
}

export function agreementBars(questions: readonly QuestionAgreement[]): Bar[] {
  return questions.map((q) => {
    const m = headlineMetric(q);
    const level = m?.key === 'krippendorffAlpha' && q.alphaLevel === 'interval' ? ' (interval)' : '';
    return {
      label: q.name,
      value: m?.value ?? null,
      note: m
        ? `${METRIC_LABELS[m.key]}${level}, ${q.items} tasks`
        : q.type === 'text'
          ? 'free text: not measured'
          : 'not enough data',
    };
  });
}

export function throughputBars(annotators: readonly AnnotatorStats[]): Bar[] {
  return [...annotators]
    .sort((a, b) => b.submitted - a.submitted || a.name.localeCompare(b.name))
    .map((a) => ({
      label: a.name,
      value: a.submitted,
      note: a.skipped > 0 ? `(${a.skipped} skipped)` : undefined,
    }));
}

export function goldBars(annotators: readonly AnnotatorStats[]): Bar[] {
  return annotators
    .filter((a) => a.goldAnswered > 0)
    .sort((a, b) => (b.goldAccuracy ?? -1) - (a.goldAccuracy ?? -1) || a.name.localeCompare(b.name))
    .map((a) => ({ label: a.name, value: a.goldAccuracy, note: `of ${a.goldAnswered}` }));
}

export interface TimelineSeries {
  days: string[];
  submitted: number[];
  completed: number[];
  cumulativeSubmitted: number[];
  cumulativeCompleted: number[];
  /** Tasks complete at the end of each day, counted back from today's total; null without one. */
  completedTotal: number[] | null;
}

/**
 * The timeline as a row per calendar day from the first to the last (days without work count zero),
 * with running totals for the progress chart. `completedNow` (the project's completed tasks) anchors
 * the total: the timeline covers recent days only, and tasks completed before them count too.
 */
export function timelineSeries(
  timeline: ProjectStatsView['timeline'],
  completedNow?: number,
): TimelineSeries {
  const byDay = new Map<number, { submitted: number; completed: number }>();
  for (const t of timeline) {
    const n = dayNumber(t.day);
    if (!Number.isFinite(n)) continue;
    const cur = byDay.get(n) ?? { submitted: 0, completed: 0 };
    cur.submitted += t.submitted;
    cur.completed += t.completedTasks;
    byDay.set(n, cur);
  }
  const out: TimelineSeries = {
    days: [],
    submitted: [],
    completed: [],
    cumulativeSubmitted: [],
    cumulativeCompleted: [],
    completedTotal: null,
  };
  if (byDay.size === 0) return out;
  const first = Math.min(...byDay.keys());
  const last = Math.max(...byDay.keys());
  // A project older than a few years would draw thousands of points; the chart needs no more than this.
  const start = Math.max(first, last - 730);
  let s = 0;
  let c = 0;
  for (const [n, v] of byDay) {
    if (n >= start) continue;
    s += v.submitted;
    c += v.completed;
  }
  for (let n = start; n <= last; n++) {
    const v = byDay.get(n) ?? { submitted: 0, completed: 0 };
    s += v.submitted;
    c += v.completed;
    out.days.push(new Date(n * 86_400_000).toISOString().slice(0, 10));
    out.submitted.push(v.submitted);
    out.completed.push(v.completed);
    out.cumulativeSubmitted.push(s);
    out.cumulativeCompleted.push(c);
  }
  if (completedNow !== undefined) {
    const after = c;
    out.completedTotal = out.cumulativeCompleted.map((sofar) => Math.max(0, completedNow - (after - sofar)));
  }
  return out;
}
