import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  MultiChoiceQuestion,
  PairwiseQuestion,
  RatingQuestion,
  SingleChoiceQuestion,
} from '@enclave/contracts';
import { agreementWithMajority, cohensKappa, fleissKappa, krippendorffAlpha } from '@enclave/labeling';
import {
  choiceLabels,
  CountedPass,
  countedPassSql,
  countKeyWeights,
  decodeCountKey,
  type CountedQuestion,
  type CountedRow,
} from './counted-pass';

const SENTIMENT: SingleChoiceQuestion = {
  name: 'sentiment',
  type: 'single_choice',
  options: ['pos', 'neg', 'neutral'],
  required: true,
};
const BETTER: PairwiseQuestion = {
  name: 'better',
  type: 'pairwise',
  field: 'responses',
  allowTie: true,
  required: true,
};
const TOPICS: MultiChoiceQuestion = {
  name: 'topics',
  type: 'multi_choice',
  options: ['a', 'b', 'c'],
  required: false,
};
const QUALITY: RatingQuestion = {
  name: 'quality',
  type: 'rating',
  min: 1,
  max: 5,
  required: true,
} as RatingQuestion;
const QUESTIONS: CountedQuestion[] = [SENTIMENT, BETTER, TOPICS, QUALITY];

const NO_TIMELINE = { timeline: null, day: null } as const;

interface Answer {
  task: string;
  user: string;
  result: Record<string, unknown>;
}

/**
 * What the pass's SQL returns for `answers`, written out plainly: per question, the own value of each
 * answer, the item's count key (Σ 64^(label index)) and answer count, grouped as the GROUPING SETS do.
 * The e2e tests check the SQL itself against hand-computed figures.
 */
function passRows(questions: readonly CountedQuestion[], answers: readonly Answer[]): CountedRow[] {
  const rows: CountedRow[] = [];
  questions.forEach((q, question) => {
    const own = new Map<Answer, number>();
    for (const a of answers) {
      const v = a.result[q.name];
      if (q.type === 'rating') {
        if (typeof v === 'number') own.set(a, v);
      } else if (q.type === 'multi_choice') {
        if (Array.isArray(v))
          own.set(
            a,
            v.reduce((m: number, o) => m + 64 ** TOPICS.options.indexOf(o as string), 0),
          );
      } else {
        const i = choiceLabels(q).indexOf(v as string);
        if (i >= 0) own.set(a, i + 1);
      }
    }
    const perTask = new Map<string, Answer[]>();
    for (const a of own.keys()) perTask.set(a.task, [...(perTask.get(a.task) ?? []), a]);
    const groups = new Map<string, CountedRow>();
    const bump = (id: string, row: Omit<CountedRow, 'n'>) => {
      const g = groups.get(id) ?? { ...row, n: 0 };
      g.n++;
      groups.set(id, g);
    };
    for (const items of perTask.values()) {
      const values = items.map((a) => own.get(a)!);
      const r = values.length;
      for (const a of items) {
        const x = own.get(a)!;
        if (q.type === 'rating') {
          const s = values.reduce((t, v) => t + v, 0);
          const sq = values.reduce((t, v) => t + v * v, 0);
          bump(`m/${x}/${r}/${s}/${sq}`, {
            ...NO_TIMELINE,
            question,
            user_id: null,
            own: String(x),
            key: null,
            answers_on_item: r,
            value_sum: s,
            value_sum_of_squares: sq,
          });
          bump(`u/${a.user}/${x}/${r}`, {
            ...NO_TIMELINE,
            question,
            user_id: a.user,
            own: String(x),
            key: null,
            answers_on_item: r,
            value_sum: null,
            value_sum_of_squares: null,
          });
        } else {
          const key =
            q.type === 'multi_choice'
              ? values.reduce((t, v) => t + v, 0)
              : values.reduce((t, v) => t + 64 ** (v - 1), 0);
          bump(`${a.user}/${x}/${key}/${r}`, {
            ...NO_TIMELINE,
            question,
            user_id: a.user,
            own: String(x),
            key: String(key),
            answers_on_item: q.type === 'multi_choice' ? r : null,
            value_sum: null,
            value_sum_of_squares: null,
          });
        }
      }
    }
    rows.push(...groups.values());
  });
  return rows;
}

/** Random answers: 2–12 items, up to 4 annotators each, every question answered or left out at random. */
const answersArb = fc
  .array(
    fc.record({
      users: fc.subarray(['u1', 'u2', 'u3', 'u4'], { minLength: 1 }),
      seed: fc.array(
        fc.record({
          sentiment: fc.option(fc.constantFrom('pos', 'neg', 'neutral'), { nil: undefined }),
          better: fc.option(fc.constantFrom('a', 'b', 'tie'), { nil: undefined }),
          topics: fc.option(fc.subarray(['a', 'b', 'c']), { nil: undefined }),
          quality: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        }),
        { minLength: 4, maxLength: 4 },
      ),
    }),
    { minLength: 2, maxLength: 12 },
  )
  .map((items) =>
    items.flatMap((item, t) =>
      item.users.map((user, u) => ({ task: `t${t}`, user, result: item.seed[u] as Record<string, unknown> })),
    ),
  );

function fold(answers: readonly Answer[]): CountedPass {
  const agreement = new CountedPass(QUESTIONS);
  for (const row of passRows(QUESTIONS, answers)) agreement.add(row);
  return agreement;
}

function close(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) < 1e-9;
}

/** The answers of one question, per item, for the batch functions. */
function perItem(answers: readonly Answer[], name: string): Map<string, Answer[]> {
  const out = new Map<string, Answer[]>();
  for (const a of answers) if (a.result[name] !== undefined) out.set(a.task, [...(out.get(a.task) ?? []), a]);
  return out;
}

/** The two annotators of every item with two answers, when exactly two annotators answered such items. */
function twoAnnotators(items: Map<string, Answer[]>): [string, string] | null {
  const compared = [...items.values()].filter((i) => i.length >= 2);
  const users = [...new Set(compared.flat().map((a) => a.user))].sort();
  return users.length === 2 ? [users[0]!, users[1]!] : null;
}

describe('count keys', () => {
  it('weigh labels in base 64, as 4-byte integers up to five labels', () => {
    expect(countKeyWeights(3)).toEqual({ sqlType: 'int', weights: ['1', '64', '4096'] });
    expect(countKeyWeights(6).sqlType).toBe('numeric');
    expect(countKeyWeights(12).weights[11]).toBe((64n ** 11n).toString());
  });

  it('decode to the count of each label', () => {
    // 2 × pos, 0 × neg, 1 × neutral
    expect(decodeCountKey(String(2 + 4096), 3)).toEqual([2, 0, 1]);
    expect(decodeCountKey((50n * 64n ** 199n).toString(), 200)[199]).toBe(50);
    expect(() => decodeCountKey(String(64 ** 3), 3)).toThrow(RangeError);
  });
});

describe('countedPassSql', () => {
  it('passes names, labels and weights as parameters, never in the text', () => {
    const evil: SingleChoiceQuestion = {
      name: 'q',
      type: 'single_choice',
      options: ["x'); DROP TABLE tasks; --"],
      required: true,
    };
    const { text, params } = countedPassSql([evil, QUALITY], { timeline: false });
    expect(text).not.toContain('DROP');
    expect(params).toEqual(['q', ["x'); DROP TABLE tasks; --"], ['1'], 'quality']);
    expect(text).toMatch(
      /GROUPING SETS \(\(g0, user_id, o0, k0\), \(g1, o1, r1, s1, q1\), \(g1, user_id, o1, r1\)\)/,
    );
  });
});

describe('CountedPass', () => {
  it('equals the batch functions on the same answers (property)', () => {
    fc.assert(
      fc.property(answersArb, (answers) => {
        const figures = fold(answers).figures();
        for (const q of [SENTIMENT, BETTER]) {
          const items = perItem(answers, q.name);
          const f = figures.get(q.name)!;
          const labels = [...items.values()].map((i) => i.map((a) => a.result[q.name] as string));
          const pair = twoAnnotators(items);
          const pairs = pair
            ? [...items.values()]
                .filter((i) => i.length === 2)
                .map((i): [string, string] => [
                  i.find((a) => a.user === pair[0])!.result[q.name] as string,
                  i.find((a) => a.user === pair[1])!.result[q.name] as string,
                ])
            : null;
          if (!close(f.fleissKappa, fleissKappa(labels))) return false;
          if (!close(f.krippendorffAlpha, krippendorffAlpha(labels, 'nominal'))) return false;
          if (!close(f.cohensKappa, pairs ? cohensKappa(pairs) : null)) return false;
          if (f.items !== labels.filter((l) => l.length >= 2).length) return false;
        }
        // multi_choice: each option of each item a yes/no unit
        const topics = perItem(answers, 'topics');
        const units = [...topics.values()].flatMap((i) =>
          TOPICS.options.map((o) => i.map((a) => ((a.result.topics as string[]).includes(o) ? 'yes' : 'no'))),
        );
        const t = figures.get('topics')!;
        if (
          !close(t.fleissKappa, fleissKappa(units)) ||
          !close(t.krippendorffAlpha, krippendorffAlpha(units, 'nominal'))
        )
          return false;
        const tPair = twoAnnotators(topics);
        const tPairs = tPair
          ? [...topics.values()]
              .filter((i) => i.length === 2)
              .flatMap((i) => {
                const [x, y] = tPair.map((u) => i.find((a) => a.user === u)!.result.topics as string[]);
                return TOPICS.options.map((o): [string, string] => [
                  x!.includes(o) ? 'yes' : 'no',
                  y!.includes(o) ? 'yes' : 'no',
                ]);
              })
          : null;
        if (!close(t.cohensKappa, tPairs ? cohensKappa(tPairs) : null)) return false;
        // rating: interval alpha
        const quality = [...perItem(answers, 'quality').values()].map((i) =>
          i.map((a) => a.result.quality as number),
        );
        if (!close(figures.get('quality')!.krippendorffAlpha, krippendorffAlpha(quality, 'interval')))
          return false;
        // the majority of the others, over single-choice and pairwise answers together
        const choiceAnswers = [SENTIMENT, BETTER].flatMap((q) =>
          answers
            .filter((a) => a.result[q.name] !== undefined)
            .map((a) => ({
              item: `${q.name}/${a.task}`,
              annotator: a.user,
              label: a.result[q.name] as string,
            })),
        );
        const majority = fold(answers).majority();
        return agreementWithMajority(choiceAnswers).every(
          (m) =>
            (majority.get(m.annotator)?.compared ?? 0) === m.compared &&
            (majority.get(m.annotator)?.agreed ?? 0) === m.agreed,
        );
      }),
    );
  });

  it('counts items, answers and annotators compared; Cohen only for exactly two annotators', () => {
    const answers: Answer[] = [
      { task: 't1', user: 'u1', result: { sentiment: 'pos', quality: 3 } },
      { task: 't1', user: 'u2', result: { sentiment: 'pos', quality: 4 } },
      { task: 't2', user: 'u1', result: { sentiment: 'neg', quality: 1 } },
      { task: 't2', user: 'u2', result: { sentiment: 'pos' } },
      { task: 't3', user: 'u3', result: { sentiment: 'neg', quality: 2 } },
    ];
    const figures = fold(answers).figures();
    expect(figures.get('sentiment')).toMatchObject({
      items: 2,
      answers: 4,
      annotators: 2,
      alphaLevel: 'nominal',
    });
    // pairs (pos, pos), (neg, pos): p_o = 1/2; u1 pos 1/2, u2 pos 1: p_e = 1/2; κ = 0
    expect(figures.get('sentiment')!.cohensKappa).toBe(0);
    expect(figures.get('quality')).toMatchObject({
      items: 1,
      answers: 2,
      annotators: 2,
      cohensKappa: null,
      fleissKappa: null,
      alphaLevel: 'interval',
    });
    // a third annotator on a compared item: no Cohen
    const three = fold([...answers, { task: 't1', user: 'u3', result: { sentiment: 'neg' } }]).figures();
    expect(three.get('sentiment')!.cohensKappa).toBeNull();
    expect(three.get('sentiment')!.fleissKappa).not.toBeNull();
  });

  it('counts the timeline: submissions per day, and items complete once they have `overlap` answers', () => {
    const pass = new CountedPass([]);
    const row = (
      timeline: 'submitted' | 'completed',
      day: string,
      n: number,
      answers: number | null = null,
    ): CountedRow => ({
      question: null,
      user_id: null,
      own: null,
      key: null,
      answers_on_item: answers,
      value_sum: null,
      value_sum_of_squares: null,
      timeline,
      day,
      n,
    });
    pass.add(row('submitted', '2026-01-30', 7));
    pass.add(row('submitted', '2025-12-01', 4)); // before the window
    // 6 answers on items of 3 (two items, complete at overlap 3), 2 on an item of 2 (not complete)
    pass.add(row('completed', '2026-01-31', 6, 3));
    pass.add(row('completed', '2026-01-31', 2, 2));
    const days = pass.timeline('2026-02-01', 3, 3);
    expect(days).toEqual([
      { day: '2026-01-30', submitted: 7, completedTasks: 0 },
      { day: '2026-01-31', submitted: 0, completedTasks: 2 },
      { day: '2026-02-01', submitted: 0, completedTasks: 0 },
    ]);
    expect(pass.timeline('2026-03-01', 30, 3)[0]!.day).toBe('2026-01-31');
  });

  it('reports nothing compared when no item has two answers', () => {
    const figures = fold([
      { task: 't1', user: 'u1', result: { sentiment: 'pos', topics: ['a'], quality: 2, better: 'a' } },
    ]).figures();
    for (const q of QUESTIONS) {
      expect(figures.get(q.name)).toMatchObject({
        items: 0,
        answers: 0,
        annotators: 0,
        cohensKappa: null,
        fleissKappa: null,
        krippendorffAlpha: null,
      });
    }
  });
});
