import { labelConfigSchema, type LabelConfigInput } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { breakingConfigChanges } from './config-changes';

const config = (input: LabelConfigInput) => labelConfigSchema.parse(input);

const BASE: LabelConfigInput = {
  fields: [
    { name: 'text', type: 'text' },
    { name: 'image', type: 'image' },
    { name: 'responses', type: 'responses' },
    { name: 'others', type: 'responses' },
  ],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg', 'neutral'] },
    { name: 'topics', type: 'multi_choice', options: ['a', 'b'], required: false },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG'] },
    { name: 'objects', type: 'bboxes', field: 'image', labels: ['car', 'person'] },
    { name: 'quality', type: 'rating', min: 1, max: 7 },
    { name: 'better', type: 'pairwise', field: 'responses', allowTie: true },
    { name: 'order', type: 'ranking', field: 'responses' },
    { name: 'rewrite', type: 'text', minLength: 1, maxLength: 2000 },
  ],
};

/** BASE with a change applied to a copy. */
function changed(
  edit: (c: { fields: Record<string, unknown>[]; questions: Record<string, unknown>[] }) => void,
) {
  const c = JSON.parse(JSON.stringify(BASE)) as {
    fields: Record<string, unknown>[];
    questions: Record<string, unknown>[];
  };
  edit(c);
  return config(c as never);
}
const question = (c: { questions: Record<string, unknown>[] }, name: string) =>
  c.questions.find((q) => q.name === name)!;

function breaking(edit: Parameters<typeof changed>[0]) {
  return breakingConfigChanges(config(BASE), changed(edit));
}

describe('breakingConfigChanges', () => {
  it('finds nothing between a config and itself', () => {
    expect(breakingConfigChanges(config(BASE), config(BASE))).toEqual([]);
  });

  describe('safe changes', () => {
    it.each<[string, Parameters<typeof changed>[0]]>([
      ['adding a field', (c) => c.fields.push({ name: 'extra', type: 'markdown' })],
      ['adding a question', (c) => c.questions.push({ name: 'notes', type: 'text' })],
      ['adding an option', (c) => (question(c, 'sentiment').options as string[]).push('mixed')],
      ['reordering options', (c) => (question(c, 'sentiment').options = ['neutral', 'neg', 'pos'])],
      ['adding a label', (c) => (question(c, 'entities').labels as string[]).push('LOC')],
      ['widening a rating', (c) => Object.assign(question(c, 'quality'), { min: 0, max: 10 })],
      [
        'relaxing text bounds',
        (c) => Object.assign(question(c, 'rewrite'), { minLength: 0, maxLength: 5000 }),
      ],
      ['allowing a tie', (c) => (question(c, 'better').allowTie = true)],
      ['making a question optional', (c) => (question(c, 'sentiment').required = false)],
      ['reordering questions and fields', (c) => (c.questions.reverse(), c.fields.reverse())],
      ['changing a description', (c) => (question(c, 'quality').description = 'How good?')],
    ])('%s is not breaking', (_what, edit) => {
      expect(breaking(edit)).toEqual([]);
    });
  });

  it('reports a removed field and a changed field type', () => {
    expect(
      breaking((c) => {
        c.fields.splice(3, 1); // others
        c.fields[1] = { name: 'image', type: 'text' };
        question(c, 'objects').field = 'text';
        c.questions.splice(3, 1); // objects: it cannot read a text field
      }),
    ).toEqual([
      'field "image" changed type from image to text',
      'field "others" was removed',
      'question "objects" was removed',
    ]);
  });

  it('reports a removed question', () => {
    expect(breaking((c) => c.questions.splice(0, 1))).toEqual(['question "sentiment" was removed']);
  });

  it('reports a type change once, without the details of the old type', () => {
    expect(breaking((c) => (question(c, 'sentiment').type = 'multi_choice'))).toEqual([
      'question "sentiment" changed type from single_choice to multi_choice',
    ]);
  });

  it('reports a question reading another field', () => {
    expect(breaking((c) => (question(c, 'order').field = 'others'))).toEqual([
      'question "order" now reads field "others" instead of "responses"',
    ]);
  });

  it('reports removed options and labels, every one', () => {
    expect(breaking((c) => (question(c, 'sentiment').options = ['pos']))).toEqual([
      'question "sentiment" lost options "neg", "neutral"',
    ]);
    expect(breaking((c) => (question(c, 'topics').options = ['a', 'c']))).toEqual([
      'question "topics" lost option "b"',
    ]);
    expect(breaking((c) => (question(c, 'entities').labels = ['PER', 'LOC']))).toEqual([
      'question "entities" lost label "ORG"',
    ]);
    expect(breaking((c) => (question(c, 'objects').labels = ['truck']))).toEqual([
      'question "objects" lost labels "car", "person"',
    ]);
  });

  it('reports a renamed option as a removal', () => {
    expect(breaking((c) => (question(c, 'sentiment').options = ['positive', 'neg', 'neutral']))).toEqual([
      'question "sentiment" lost option "pos"',
    ]);
  });

  it('reports a narrowed rating range, at either end', () => {
    expect(breaking((c) => Object.assign(question(c, 'quality'), { min: 2 }))).toEqual([
      'question "quality" rating range narrowed from 1–7 to 2–7',
    ]);
    expect(breaking((c) => Object.assign(question(c, 'quality'), { max: 5 }))).toEqual([
      'question "quality" rating range narrowed from 1–7 to 1–5',
    ]);
    expect(breaking((c) => Object.assign(question(c, 'quality'), { min: 0, max: 5 }))).toEqual([
      'question "quality" rating range narrowed from 1–7 to 0–5',
    ]);
  });

  it('reports tightened text bounds', () => {
    expect(breaking((c) => Object.assign(question(c, 'rewrite'), { minLength: 10, maxLength: 100 }))).toEqual(
      [
        'question "rewrite" minimum length raised from 1 to 10',
        'question "rewrite" maximum length lowered from 2000 to 100',
      ],
    );
  });

  it('reports a text question losing its explicit bounds to tighter defaults', () => {
    expect(
      breaking((c) => Object.assign(question(c, 'rewrite'), { maxLength: undefined, minLength: undefined })),
    ).toEqual([]);
    const wide = config({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 'w', type: 'text', maxLength: 50000 }],
    });
    const dflt = config({ fields: [{ name: 't', type: 'text' }], questions: [{ name: 'w', type: 'text' }] });
    expect(breakingConfigChanges(wide, dflt)).toEqual([
      'question "w" maximum length lowered from 50000 to 20000',
    ]);
  });

  it('reports a tie no longer allowed', () => {
    expect(breaking((c) => (question(c, 'better').allowTie = false))).toEqual([
      'question "better" no longer allows a tie',
    ]);
    expect(breaking((c) => delete question(c, 'better').allowTie)).toEqual([
      'question "better" no longer allows a tie',
    ]);
  });

  it('reports an optional question made required', () => {
    expect(breaking((c) => (question(c, 'topics').required = true))).toEqual([
      'question "topics" was made required',
    ]);
    expect(breaking((c) => delete question(c, 'topics').required)).toEqual([
      'question "topics" was made required',
    ]);
  });

  it('lists several changes in the order of the old config', () => {
    expect(
      breaking((c) => {
        question(c, 'rewrite').maxLength = 10;
        question(c, 'sentiment').options = ['pos', 'neg'];
        question(c, 'topics').required = true;
        question(c, 'topics').options = ['a'];
      }),
    ).toEqual([
      'question "sentiment" lost option "neutral"',
      'question "topics" was made required',
      'question "topics" lost option "b"',
      'question "rewrite" maximum length lowered from 2000 to 10',
    ]);
  });
});
