import { labelConfigSchema, type LabelQuestion } from '@enclave/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreAgainstGold, scoreTaskAgainstGold } from './gold';

/** The SPEC §4 example. */
const CONFIG = labelConfigSchema.parse({
  fields: [
    { name: 'text', type: 'text' },
    { name: 'image', type: 'image' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg', 'neutral'] },
    { name: 'topics', type: 'multi_choice', options: ['a', 'b', 'c'], required: false },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG'] },
    { name: 'objects', type: 'bboxes', field: 'image', labels: ['car', 'person'] },
    { name: 'quality', type: 'rating', min: 1, max: 7 },
    { name: 'better', type: 'pairwise', field: 'responses', allowTie: true },
    { name: 'order', type: 'ranking', field: 'responses' },
    { name: 'rewrite', type: 'text' },
  ],
});

function question(name: string): LabelQuestion {
  return CONFIG.questions.find((q) => q.name === name)!;
}

describe('scoreAgainstGold', () => {
  it('scores choices and pairwise preferences by exact match', () => {
    expect(scoreAgainstGold(question('sentiment'), 'pos', 'pos')).toBe(1);
    expect(scoreAgainstGold(question('sentiment'), 'neg', 'pos')).toBe(0);
    expect(scoreAgainstGold(question('better'), 'tie', 'tie')).toBe(1);
    expect(scoreAgainstGold(question('better'), 'a', 'b')).toBe(0);
  });

  it('scores multi_choice by the exact set, in any order', () => {
    expect(scoreAgainstGold(question('topics'), ['b', 'a'], ['a', 'b'])).toBe(1);
    expect(scoreAgainstGold(question('topics'), ['a'], ['a', 'b'])).toBe(0);
    expect(scoreAgainstGold(question('topics'), ['a', 'b', 'c'], ['a', 'b'])).toBe(0);
  });

  it('scores a rating by its distance over the scale', () => {
    // scale 1–7: 1 − |5 − 7| / 6 = 2/3; the ends of the scale score 0
    expect(scoreAgainstGold(question('quality'), 5, 7)).toBeCloseTo(2 / 3, 12);
    expect(scoreAgainstGold(question('quality'), 7, 7)).toBe(1);
    expect(scoreAgainstGold(question('quality'), 1, 7)).toBe(0);
    // out of range answers cannot go below 0
    expect(scoreAgainstGold(question('quality'), -20, 7)).toBe(0);
  });

  it('scores spans by exact-match F1 and boxes by F1 at IoU ≥ 0.5', () => {
    const gold = [
      { start: 0, end: 4, label: 'PER' },
      { start: 10, end: 13, label: 'ORG' },
    ];
    // one of two found, plus one extra: tp 1, fp 1, fn 1 → F1 = 2/4
    expect(
      scoreAgainstGold(question('entities'), [gold[0], { start: 20, end: 22, label: 'PER' }], gold),
    ).toBeCloseTo(0.5, 12);
    expect(scoreAgainstGold(question('entities'), [], [])).toBe(1);
    // IoU of [0, 0.5] and [0.1, 0.6] (full height) = 0.4/0.6 ≥ 0.5: a match
    const goldBox = [{ x: 0, y: 0, width: 0.5, height: 1, label: 'car' }];
    expect(
      scoreAgainstGold(question('objects'), [{ x: 0.1, y: 0, width: 0.5, height: 1, label: 'car' }], goldBox),
    ).toBe(1);
    // [0.3, 0.8]: 0.2/0.8 = 0.25 < 0.5: a miss and a false box
    expect(
      scoreAgainstGold(question('objects'), [{ x: 0.3, y: 0, width: 0.5, height: 1, label: 'car' }], goldBox),
    ).toBe(0);
  });

  it('maps Kendall tau for rankings to [0, 1]', () => {
    // Abdi's wines again: τ = 2/3 → (2/3 + 1)/2 = 5/6
    expect(scoreAgainstGold(question('order'), ['a', 'c', 'd', 'b'], ['a', 'c', 'b', 'd'])).toBeCloseTo(
      5 / 6,
      12,
    );
    expect(scoreAgainstGold(question('order'), ['r3', 'r2', 'r1'], ['r1', 'r2', 'r3'])).toBe(0);
    expect(scoreAgainstGold(question('order'), ['r1', 'r2', 'r3'], ['r1', 'r2', 'r3'])).toBe(1);
    // a ranking of other ids is wrong, not unscorable
    expect(scoreAgainstGold(question('order'), ['r1', 'r9'], ['r1', 'r2'])).toBe(0);
  });

  it('does not score text, a missing gold answer, or a gold answer of the wrong shape', () => {
    expect(scoreAgainstGold(question('rewrite'), 'same', 'same')).toBeNull();
    expect(scoreAgainstGold(question('sentiment'), 'pos', undefined)).toBeNull();
    expect(scoreAgainstGold(question('quality'), 3, 'three')).toBeNull();
    expect(scoreAgainstGold(question('entities'), [], [{ start: 0 }])).toBeNull();
    expect(scoreAgainstGold(question('order'), ['r1'], ['r1'])).toBeNull();
  });

  it('scores a missing or misshapen answer 0', () => {
    expect(scoreAgainstGold(question('sentiment'), undefined, 'pos')).toBe(0);
    expect(scoreAgainstGold(question('topics'), 'a', ['a'])).toBe(0);
    expect(scoreAgainstGold(question('quality'), null, 4)).toBe(0);
    expect(scoreAgainstGold(question('entities'), null, [])).toBe(0);
    expect(scoreAgainstGold(question('objects'), [{ x: 0 }], [])).toBe(0);
    expect(scoreAgainstGold(question('order'), undefined, ['r1', 'r2'])).toBe(0);
  });
});

describe('scoreTaskAgainstGold', () => {
  it('averages the questions the gold answer covers, skipping text', () => {
    const gold = { sentiment: 'pos', quality: 7, rewrite: 'Better.', topics: null };
    const result = { sentiment: 'pos', quality: 5, rewrite: 'Worse.', topics: ['a'], better: 'a' };
    // sentiment 1, quality 2/3; rewrite is text, topics and better have no gold answer
    const score = scoreTaskAgainstGold(CONFIG, result, gold);
    expect(Object.keys(score.perQuestion).sort()).toEqual(['quality', 'sentiment']);
    expect(score.perQuestion['sentiment']).toBe(1);
    expect(score.perQuestion['quality']).toBeCloseTo(2 / 3, 12);
    expect(score.overall).toBeCloseTo(5 / 6, 12);
  });

  it('counts a question the annotator left out as 0', () => {
    expect(scoreTaskAgainstGold(CONFIG, {}, { sentiment: 'pos', better: 'b' })).toEqual({
      perQuestion: { sentiment: 0, better: 0 },
      overall: 0,
    });
  });

  it('has no overall score when nothing is scorable', () => {
    expect(scoreTaskAgainstGold(CONFIG, { rewrite: 'x' }, { rewrite: 'x' })).toEqual({
      perQuestion: {},
      overall: null,
    });
  });

  it("reads only the results' own keys", () => {
    const config = labelConfigSchema.parse({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 'constructor', type: 'single_choice', options: ['x', 'y'] }],
    });
    expect(scoreTaskAgainstGold(config, {}, {})).toEqual({ perQuestion: {}, overall: null });
    expect(scoreTaskAgainstGold(config, {}, { constructor: 'x' }).perQuestion).toEqual({ constructor: 0 });
  });

  describe('properties', () => {
    const spanArb = fc.record({
      start: fc.integer({ min: 0, max: 5 }),
      end: fc.integer({ min: 6, max: 9 }),
      label: fc.constantFrom('PER', 'ORG'),
    });
    const boxArb = fc.record({
      x: fc.double({ min: 0, max: 0.5, noNaN: true }),
      y: fc.double({ min: 0, max: 0.5, noNaN: true }),
      width: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      height: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      label: fc.constantFrom('car', 'person'),
    });
    const ranking = fc.shuffledSubarray(['r1', 'r2', 'r3', 'r4'], { minLength: 4 });
    /** A value of each question's shape, keyed by question name. */
    const resultArb = fc.record({
      sentiment: fc.constantFrom('pos', 'neg', 'neutral'),
      topics: fc.subarray(['a', 'b', 'c']),
      entities: fc.array(spanArb, { maxLength: 4 }),
      objects: fc.array(boxArb, { maxLength: 4 }),
      quality: fc.integer({ min: 1, max: 7 }),
      better: fc.constantFrom('a', 'b', 'tie'),
      order: ranking,
      rewrite: fc.string(),
    });

    it('every score is in [0, 1], and an answer equal to the gold answer scores 1', () => {
      fc.assert(
        fc.property(resultArb, resultArb, fc.anything(), (answer, gold, junk) => {
          for (const q of CONFIG.questions) {
            const scores = [
              scoreAgainstGold(q, answer[q.name as keyof typeof answer], gold[q.name as keyof typeof gold]),
              scoreAgainstGold(q, junk, gold[q.name as keyof typeof gold]),
              scoreAgainstGold(q, junk, junk),
            ];
            if (scores.some((s) => s !== null && !(s >= 0 && s <= 1))) return false;
            const self = scoreAgainstGold(
              q,
              gold[q.name as keyof typeof gold],
              gold[q.name as keyof typeof gold],
            );
            if (self !== (q.type === 'text' ? null : 1)) return false;
          }
          const task = scoreTaskAgainstGold(CONFIG, answer, gold);
          return task.overall !== null && task.overall >= 0 && task.overall <= 1;
        }),
      );
    });
  });
});
