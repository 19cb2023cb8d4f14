import { describe, expect, it } from 'vitest';
import type { BboxesQuestion, RankingQuestion, SpansQuestion } from '@enclave/contracts';
import { SampledAgreement } from './sampled-agreement';

const ENTITIES: SpansQuestion = {
  name: 'entities',
  type: 'spans',
  field: 'text',
  labels: ['PER', 'ORG'],
  required: true,
};
const OBJECTS: BboxesQuestion = {
  name: 'objects',
  type: 'bboxes',
  field: 'image',
  labels: ['car'],
  required: true,
};
const ORDER: RankingQuestion = { name: 'order', type: 'ranking', field: 'responses', required: true };

const A = { start: 0, end: 4, label: 'PER' };
const B = { start: 5, end: 9, label: 'ORG' };
const C = { start: 10, end: 12, label: 'ORG' };

describe('SampledAgreement', () => {
  it('pools span matches over every pair of annotators (micro-averaged F1)', () => {
    const agreement = new SampledAgreement([ENTITIES]);
    // u1 {A, B}, u2 {A}, u3 {A, C}. Pairs: u1–u2 tp 1, fp 0, fn 1; u1–u3 tp 1, fp 1, fn 1;
    // u2–u3 tp 1, fp 1, fn 0. Pooled: tp 3, fp 2, fn 2; F1 = 6 / (6 + 4) = 0.6.
    agreement.addItem(ENTITIES, [
      { userId: 'u1', value: [A, B] },
      { userId: 'u2', value: [A] },
      { userId: 'u3', value: [A, C] },
    ]);
    // one valid answer (the other is not a span list): nothing to compare
    agreement.addItem(ENTITIES, [
      { userId: 'u1', value: [A] },
      { userId: 'u2', value: 'A' },
    ]);
    expect(agreement.figures().get('entities')).toEqual({
      items: 1,
      answers: 3,
      annotators: 3,
      spanF1: 0.6,
      boxF1: null,
      kendallTau: null,
    });
  });

  it('matches boxes of the same label at IoU ≥ 0.5', () => {
    const agreement = new SampledAgreement([OBJECTS]);
    // u1 [0,0.5]², u2 [0,0.5]×[0,0.4]: IoU 0.2/0.25 = 0.8, a match. u3 [0.25,0.75]²: IoU with u1
    // 0.0625/0.4375 ≈ 0.14, with u2 0.0375/0.4125 ≈ 0.09, no match. Pairs: tp 1 + 0 + 0, fp 0 + 1 + 1,
    // fn 0 + 1 + 1 (u1–u2 swaps nothing): F1 = 2 / (2 + 4) = 1/3.
    agreement.addItem(OBJECTS, [
      { userId: 'u1', value: [{ x: 0, y: 0, width: 0.5, height: 0.5, label: 'car' }] },
      { userId: 'u2', value: [{ x: 0, y: 0, width: 0.5, height: 0.4, label: 'car' }] },
      { userId: 'u3', value: [{ x: 0.25, y: 0.25, width: 0.5, height: 0.5, label: 'car' }] },
    ]);
    expect(agreement.figures().get('objects')!.boxF1).toBeCloseTo(1 / 3, 12);
  });

  it('averages Kendall tau over every pair of annotators', () => {
    const agreement = new SampledAgreement([ORDER]);
    // abc/acb: 1 discordant pair of 3, τ = 1/3; abc/cba: τ = −1; acb/cba: (a,c) and (a,b) discordant,
    // (c,b) concordant, τ = −1/3. Mean over the three pairs: −1/3.
    agreement.addItem(ORDER, [
      { userId: 'u1', value: ['a', 'b', 'c'] },
      { userId: 'u2', value: ['a', 'c', 'b'] },
      { userId: 'u3', value: ['c', 'b', 'a'] },
    ]);
    expect(agreement.figures().get('order')!.kendallTau).toBeCloseTo(-1 / 3, 12);
  });

  it('reports null, not agreement, when no item has two answers', () => {
    const agreement = new SampledAgreement([ENTITIES, OBJECTS, ORDER]);
    agreement.addItem(ENTITIES, [{ userId: 'u1', value: [] }]);
    for (const f of agreement.figures().values()) {
      expect(f).toMatchObject({ items: 0, spanF1: null, boxF1: null, kendallTau: null });
    }
    // two empty span lists do agree: there is nothing to mark
    agreement.addItem(ENTITIES, [
      { userId: 'u1', value: [] },
      { userId: 'u2', value: [] },
    ]);
    expect(agreement.figures().get('entities')!.spanF1).toBe(1);
  });
});
