import type { AnnotatorStats } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import type { QuestionAgreement } from '@enclave/contracts';
import { agreementBars, goldBars, headlineMetric, throughputBars, timelineSeries } from './stats-view';

function q(
  name: string,
  type: QuestionAgreement['type'],
  metrics: Partial<QuestionAgreement>,
): QuestionAgreement {
  return {
    name,
    type,
    items: 10,
    answers: 20,
    annotators: 2,
    alphaLevel: null,
    fleissKappa: null,
    krippendorffAlpha: null,
    cohensKappa: null,
    spanF1: null,
    boxF1: null,
    kendallTau: null,
    sampled: false,
    ...metrics,
  };
}

function annotator(name: string, over: Partial<AnnotatorStats>): AnnotatorStats {
  return {
    userId: name,
    name,
    orgRole: 'annotator',
    projectRole: 'annotator',
    submitted: 0,
    accepted: 0,
    rejected: 0,
    drafts: 0,
    skipped: 0,
    lastSubmittedAt: null,
    comparedWithMajority: 0,
    medianLeadTimeMs: null,
    goldAnswered: 0,
    goldAccuracy: null,
    agreementWithMajority: null,
    qualification: null,
    ...over,
  };
}

describe('agreement', () => {
  it('picks the metric that fits each question type and names it', () => {
    expect(
      headlineMetric(
        q('c', 'single_choice', { fleissKappa: 0.4, krippendorffAlpha: 0.41, cohensKappa: 0.5 }),
      ),
    ).toEqual({
      key: 'krippendorffAlpha',
      value: 0.41,
    });
    expect(headlineMetric(q('s', 'spans', { spanF1: 0.8, fleissKappa: 0.1 }))?.key).toBe('spanF1');
    expect(headlineMetric(q('r', 'ranking', { kendallTau: -0.2 }))).toEqual({
      key: 'kendallTau',
      value: -0.2,
    });
    expect(
      agreementBars([q('g', 'rating', { krippendorffAlpha: 0.6, alphaLevel: 'interval' })])[0]!.note,
    ).toBe('Krippendorff’s α (interval), 10 tasks');
    expect(agreementBars([q('c', 'single_choice', {})])[0]!.note).toBe('not enough data');
    expect(headlineMetric(q('t', 'text', {}))).toBeNull();
    const bars = agreementBars([q('b', 'bboxes', { boxF1: 0.7, items: 4 }), q('t', 'text', {})]);
    expect(bars).toEqual([
      { label: 'b', value: 0.7, note: 'box F1, 4 tasks' },
      { label: 't', value: null, note: 'free text: not measured' },
    ]);
  });
});

describe('annotator bars', () => {
  const people = [
    annotator('Bo', { submitted: 5, goldAnswered: 4, goldAccuracy: 0.5 }),
    annotator('Al', { submitted: 9, skipped: 2 }),
    annotator('Cy', { submitted: 5, goldAnswered: 2, goldAccuracy: 1 }),
  ];

  it('ranks throughput, most first', () => {
    expect(throughputBars(people)).toEqual([
      { label: 'Al', value: 9, note: '(2 skipped)' },
      { label: 'Bo', value: 5, note: undefined },
      { label: 'Cy', value: 5, note: undefined },
    ]);
  });

  it('shows gold accuracy only for those who answered gold', () => {
    expect(goldBars(people)).toEqual([
      { label: 'Cy', value: 1, note: 'of 2' },
      { label: 'Bo', value: 0.5, note: 'of 4' },
    ]);
  });
});

describe('timelineSeries', () => {
  it('fills days without work and keeps running totals', () => {
    const t = timelineSeries([
      { day: '2025-03-01', submitted: 4, completedTasks: 2 },
      { day: '2025-03-04', submitted: 1, completedTasks: 1 },
      { day: '2025-03-02', submitted: 2, completedTasks: 0 },
    ]);
    expect(t.days).toEqual(['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04']);
    expect(t.submitted).toEqual([4, 2, 0, 1]);
    expect(t.cumulativeSubmitted).toEqual([4, 6, 6, 7]);
    expect(t.cumulativeCompleted).toEqual([2, 2, 2, 3]);
    expect(t.completedTotal).toBeNull();
  });

  it('counts the total back from today, tasks completed before the window included', () => {
    const t = timelineSeries(
      [
        { day: '2025-03-01', submitted: 4, completedTasks: 2 },
        { day: '2025-03-02', submitted: 1, completedTasks: 1 },
      ],
      10,
    );
    expect(t.completedTotal).toEqual([9, 10]);
  });

  it('is empty without data', () => {
    expect(timelineSeries([]).days).toEqual([]);
  });
});
