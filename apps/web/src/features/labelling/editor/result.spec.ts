import { labelConfigSchema, type MultiChoiceQuestion, type TextQuestion } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import {
  checkBeforeSubmit,
  errorsByQuestion,
  initialValue,
  pairwiseChoices,
  questionOfPath,
  setAnswer,
  textLengthStatus,
  toggleOption,
  toggleSingle,
} from './result';

const config = labelConfigSchema.parse({
  fields: [
    { name: 'text', type: 'text' },
    { name: 'image', type: 'image' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg', 'neutral'] },
    { name: 'topics', type: 'multi_choice', options: ['a', 'b', 'c'], required: false },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG'] },
    { name: 'objects', type: 'bboxes', field: 'image', labels: ['car'] },
    { name: 'quality', type: 'rating', min: 1, max: 7 },
    { name: 'better', type: 'pairwise', field: 'responses', allowTie: true },
    { name: 'order', type: 'ranking', field: 'responses' },
    { name: 'rewrite', type: 'text', minLength: 2, maxLength: 5 },
  ],
});
const data = {
  text: '🚀 Ada Lovelace',
  image: '00000000-0000-4000-8000-000000000001',
  responses: [
    { id: 'r1', text: 'one' },
    { id: 'r2', text: 'two' },
  ],
};

describe('building a result, per question type', () => {
  it('sets answers and removes empty ones', () => {
    let v = setAnswer({}, 'sentiment', 'pos');
    v = setAnswer(v, 'rewrite', 'hi');
    expect(v).toEqual({ sentiment: 'pos', rewrite: 'hi' });
    expect(setAnswer(v, 'rewrite', '')).toEqual({ sentiment: 'pos' });
    expect(setAnswer(v, 'sentiment', null)).toEqual({ rewrite: 'hi' });
    // an empty span list is an answer, not an absence
    expect(setAnswer({}, 'entities', [])).toEqual({ entities: [] });
  });

  it('toggles single choices, ratings and pairwise choices off when chosen again', () => {
    expect(toggleSingle(undefined, 'pos')).toBe('pos');
    expect(toggleSingle('pos', 'neg')).toBe('neg');
    expect(toggleSingle('pos', 'pos')).toBeNull();
    expect(toggleSingle(3, 3)).toBeNull();
    expect(pairwiseChoices(true)).toEqual(['a', 'b', 'tie']);
    expect(pairwiseChoices(false)).toEqual(['a', 'b']);
  });

  it('toggles multi-choice options, keeping the options’ order and clearing when none is left', () => {
    const q = config.questions[1] as MultiChoiceQuestion;
    expect(toggleOption(q, undefined, 'c')).toEqual(['c']);
    expect(toggleOption(q, ['c'], 'a')).toEqual(['a', 'c']);
    expect(toggleOption(q, ['a', 'c'], 'a')).toEqual(['c']);
    expect(toggleOption(q, ['c'], 'c')).toBeNull();
  });

  it('starts a task from its draft, with empty mark lists where the draft has none', () => {
    expect(initialValue(config, null)).toEqual({ entities: [], objects: [] });
    expect(initialValue(config, { sentiment: 'neg', gone: 'x', objects: [], entities: null })).toEqual({
      sentiment: 'neg',
      entities: [],
      objects: [],
    });
  });

  it('builds a complete result that the shared validation accepts', () => {
    let v = initialValue(config, null);
    v = setAnswer(v, 'sentiment', 'pos');
    v = setAnswer(v, 'entities', [{ start: 2, end: 14, label: 'PER' }]);
    v = setAnswer(v, 'objects', [{ x: 0.1, y: 0.1, width: 0.5, height: 0.5, label: 'car' }]);
    v = setAnswer(v, 'quality', 6);
    v = setAnswer(v, 'better', 'tie');
    v = setAnswer(v, 'order', ['r2', 'r1']);
    v = setAnswer(v, 'rewrite', '👍👍👍');
    expect(checkBeforeSubmit(config, data, v)).toBeNull();
  });
});

describe('errors under their questions', () => {
  it('finds the question of a path, with or without the API’s result prefix', () => {
    expect(questionOfPath('entities[0].end')).toBe('entities');
    expect(questionOfPath('result.entities[0].end')).toBe('entities');
    expect(questionOfPath('result.quality')).toBe('quality');
    expect(questionOfPath('result')).toBeNull();
    expect(questionOfPath('')).toBeNull();
  });

  it('places client-side issues under each question', () => {
    const errors = checkBeforeSubmit(config, data, {
      entities: [{ start: 2, end: 99, label: 'PER' }],
      objects: [],
      rewrite: 'x',
    });
    expect(errors?.byQuestion).toEqual({
      sentiment: ['This question needs an answer.'],
      entities: ['[0].end: must be at most 14, the length of "text" in code points.'],
      quality: ['This question needs an answer.'],
      better: ['This question needs an answer.'],
      order: ['This question needs an answer.'],
      rewrite: ['Must be at least 2 characters.'],
    });
    expect(errors?.general).toEqual([]);
  });

  it('places the API’s 400 details the same way, and keeps the rest for the whole form', () => {
    const errors = errorsByQuestion(config, [
      { path: 'result.quality', message: 'must be an integer from 1 to 7, not 9' },
      { path: 'result', message: 'the result must be an object' },
      { path: 'result.nope', message: 'no question named "nope"' },
      { message: 'the project changed' },
    ]);
    expect(errors.byQuestion).toEqual({ quality: ['Must be an integer from 1 to 7, not 9.'] });
    expect(errors.general).toEqual([
      'The result must be an object.',
      'Nope: no question named "nope".',
      'The project changed.',
    ]);
  });
});

describe('text length', () => {
  it('counts code points as the API does, against the bounds', () => {
    const q = config.questions[7] as TextQuestion;
    expect(textLengthStatus(q, '👍')).toMatchObject({ count: 1, state: 'short' });
    expect(textLengthStatus(q, '👍👍')).toMatchObject({ count: 2, state: 'ok', text: '2 characters (2–5)' });
    expect(textLengthStatus(q, '123456')).toMatchObject({ count: 6, state: 'long' });
    expect(textLengthStatus(q, undefined)).toMatchObject({ count: 0, state: 'ok' });
    const open = { ...q, minLength: 0, maxLength: 20000 };
    expect(textLengthStatus(open, 'abc').text).toBe('3 characters (up to 20,000)');
  });
});
