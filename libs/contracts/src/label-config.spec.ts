import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  chatTurnSchema,
  formatZodIssues,
  formatZodPath,
  labelConfigSchema,
  parseLabelConfig,
  questionReadsField,
  responseCandidateSchema,
  type LabelConfigInput,
} from './label-config';

/** The example of SPEC §4, every field and question type. */
const SPEC_EXAMPLE: LabelConfigInput = {
  fields: [
    { name: 'text', type: 'text' },
    { name: 'body', type: 'markdown' },
    { name: 'image', type: 'image' },
    { name: 'dialogue', type: 'chat' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg', 'neutral'] },
    { name: 'topics', type: 'multi_choice', options: ['a', 'b'], required: false },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG'] },
    { name: 'objects', type: 'bboxes', field: 'image', labels: ['car', 'person'] },
    { name: 'quality', type: 'rating', min: 1, max: 7 },
    { name: 'better', type: 'pairwise', field: 'responses', allowTie: true },
    { name: 'order', type: 'ranking', field: 'responses' },
    { name: 'rewrite', type: 'text', minLength: 1, maxLength: 20000 },
  ],
};

function clone(): { fields: Record<string, unknown>[]; questions: Record<string, unknown>[] } {
  return JSON.parse(JSON.stringify(SPEC_EXAMPLE)) as never;
}

/** The issues of a config that must fail. */
function issuesOf(input: unknown) {
  const r = parseLabelConfig(input);
  if (r.ok) throw new Error('expected the config to be refused');
  return r.issues;
}

/** A config with one question replaced (or added at the end). */
function withQuestion(q: Record<string, unknown>, index = 0) {
  const c = clone();
  c.questions[index] = q;
  return c;
}

describe('parseLabelConfig: valid configs', () => {
  it('accepts the SPEC example and fills in the defaults', () => {
    const r = parseLabelConfig(SPEC_EXAMPLE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const q = Object.fromEntries(r.config.questions.map((x) => [x.name, x]));
    expect(q.sentiment).toEqual({
      name: 'sentiment',
      type: 'single_choice',
      options: ['pos', 'neg', 'neutral'],
      required: true,
    });
    expect(q.topics?.required).toBe(false);
    expect(q.better).toMatchObject({ allowTie: true, required: true });
    expect(q.rewrite).toMatchObject({ minLength: 1, maxLength: 20000 });
  });

  it('defaults allowTie to false and text bounds to 0..20000', () => {
    const r = parseLabelConfig({
      fields: [{ name: 'r', type: 'responses' }],
      questions: [
        { name: 'p', type: 'pairwise', field: 'r' },
        { name: 't', type: 'text' },
      ],
    });
    expect(r.ok && r.config.questions).toEqual([
      { name: 'p', type: 'pairwise', field: 'r', allowTie: false, required: true },
      { name: 't', type: 'text', minLength: 0, maxLength: 20000, required: true },
    ]);
  });

  it('trims options and labels', () => {
    const r = parseLabelConfig(withQuestion({ name: 's', type: 'single_choice', options: [' yes ', 'no'] }));
    expect(r.ok && r.config.questions[0]).toMatchObject({ options: ['yes', 'no'] });
  });

  it('is idempotent: a parsed config parses to itself', () => {
    const first = parseLabelConfig(SPEC_EXAMPLE);
    if (!first.ok) throw new Error('fails');
    const second = parseLabelConfig(first.config);
    expect(second).toEqual(first);
  });

  it('keeps a question description', () => {
    const r = parseLabelConfig(
      withQuestion({ name: 's', type: 'rating', min: 1, max: 5, description: 'How good?' }),
    );
    expect(r.ok && r.config.questions[0]).toMatchObject({ description: 'How good?' });
  });

  it('allows a field and a question to share a name', () => {
    const r = parseLabelConfig({
      fields: [{ name: 'response', type: 'text' }],
      questions: [{ name: 'response', type: 'text' }],
    });
    expect(r.ok).toBe(true);
  });

  it('accepts identifiers of 1 and 64 characters, underscores and digits after the first', () => {
    for (const name of ['a', '_', 'A_b9', `a${'b'.repeat(63)}`, 'constructor']) {
      expect(
        parseLabelConfig({ fields: [{ name, type: 'text' }], questions: [{ name, type: 'text' }] }).ok,
        name,
      ).toBe(true);
    }
  });

  it('accepts 50 fields and 50 questions, 200 options', () => {
    const options = Array.from({ length: 200 }, (_, i) => `o${i}`);
    const r = parseLabelConfig({
      fields: Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, type: 'text' })),
      questions: Array.from({ length: 50 }, (_, i) => ({ name: `q${i}`, type: 'single_choice', options })),
    });
    expect(r.ok).toBe(true);
  });

  it('accepts a rating of exactly 100 steps at the bounds', () => {
    expect(parseLabelConfig(withQuestion({ name: 'r', type: 'rating', min: -1000, max: -900 })).ok).toBe(
      true,
    );
    expect(parseLabelConfig(withQuestion({ name: 'r', type: 'rating', min: 0, max: 1 })).ok).toBe(true);
  });
});

describe('parseLabelConfig: the whole config', () => {
  it.each([null, 'x', 42, []])('refuses %j', (input) => {
    expect(issuesOf(input)).toEqual([{ path: '', message: 'must be an object' }]);
  });

  it('refuses fields and questions that are not objects', () => {
    const c = clone() as { fields: unknown[]; questions: unknown[] };
    c.fields[1] = 'body';
    c.questions[0] = null;
    expect(issuesOf(c)).toEqual([
      { path: 'fields[1]', message: 'must be an object with a name and a type' },
      { path: 'questions[0]', message: 'must be an object with a name and a type' },
    ]);
  });

  it('needs fields and questions', () => {
    expect(issuesOf({})).toEqual([
      { path: 'fields', message: 'must be a list of fields' },
      { path: 'questions', message: 'must be a list of questions' },
    ]);
  });

  it('needs at least one field and one question', () => {
    expect(issuesOf({ fields: [], questions: [] })).toEqual([
      { path: 'fields', message: 'give at least one field' },
      { path: 'questions', message: 'give at least one question' },
    ]);
  });

  it('refuses more than 50 fields or questions', () => {
    expect(
      issuesOf({
        fields: Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, type: 'text' })),
        questions: Array.from({ length: 51 }, (_, i) => ({ name: `q${i}`, type: 'text' })),
      }),
    ).toEqual([
      { path: 'fields', message: 'at most 50 fields' },
      { path: 'questions', message: 'at most 50 questions' },
    ]);
  });

  it('refuses unknown keys at the top, in fields and in questions, one issue per key', () => {
    const c = clone() as Record<string, unknown> & ReturnType<typeof clone>;
    c.version = 2;
    c.fields[0]!.label = 'Text';
    c.questions[0]!.option = 'x';
    c.questions[0]!.colour = 'red';
    expect(issuesOf(c)).toEqual([
      { path: 'fields[0].label', message: 'unknown key' },
      { path: 'questions[0].option', message: 'unknown key' },
      { path: 'questions[0].colour', message: 'unknown key' },
      { path: 'version', message: 'unknown key' },
    ]);
  });

  it('names the unknown keys in the zod message itself, for callers that render zod issues directly', () => {
    const r = labelConfigSchema.safeParse({ ...SPEC_EXAMPLE, a: 1, b: 2 });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual(['unknown keys "a", "b"']);
  });
});

describe('parseLabelConfig: fields', () => {
  it('refuses an unknown field type', () => {
    const c = clone();
    c.fields[1] = { name: 'video', type: 'video' };
    expect(issuesOf(c)).toEqual([
      { path: 'fields[1].type', message: 'type must be one of text, markdown, image, chat, responses' },
    ]);
  });

  it('refuses a field without a type', () => {
    const c = clone();
    c.fields[0] = { name: 'x' };
    expect(issuesOf(c)).toEqual([
      { path: 'fields[0].type', message: 'type must be one of text, markdown, image, chat, responses' },
    ]);
  });

  it.each(['', '1abc', 'a-b', 'a b', 'é', `a${'b'.repeat(64)}`])('refuses the field name %j', (name) => {
    const c = clone();
    c.fields[1] = { name, type: 'markdown' };
    expect(issuesOf(c)).toEqual([
      {
        path: 'fields[1].name',
        message:
          'must be an identifier: a letter or underscore, then letters, digits or underscores (at most 64)',
      },
    ]);
  });

  it('refuses a non-string name', () => {
    const c = clone();
    c.fields[0] = { name: 5, type: 'text' };
    expect(issuesOf(c)).toEqual([{ path: 'fields[0].name', message: 'must be a string' }]);
  });

  it('refuses the name __proto__', () => {
    const issues = issuesOf({
      fields: [{ name: '__proto__', type: 'text' }],
      questions: [{ name: 'q', type: 'text' }],
    });
    expect(issues).toEqual([{ path: 'fields[0].name', message: '"__proto__" is reserved' }]);
  });

  it('refuses duplicate field names, at the second', () => {
    const c = clone();
    c.fields.push({ name: 'body', type: 'text' });
    expect(issuesOf(c)).toEqual([{ path: 'fields[5].name', message: 'duplicate field name "body"' }]);
  });
});

describe('parseLabelConfig: questions', () => {
  it('refuses an unknown question type', () => {
    expect(issuesOf(withQuestion({ name: 'q', type: 'slider' }, 2))).toEqual([
      {
        path: 'questions[2].type',
        message:
          'type must be one of single_choice, multi_choice, spans, bboxes, rating, pairwise, ranking, text',
      },
    ]);
  });

  it('refuses duplicate question names', () => {
    const c = clone();
    c.questions.push({ name: 'quality', type: 'rating', min: 0, max: 10 });
    expect(issuesOf(c)).toEqual([
      { path: 'questions[8].name', message: 'duplicate question name "quality"' },
    ]);
  });

  it('refuses a non-boolean required and a long description', () => {
    expect(
      issuesOf(withQuestion({ name: 'q', type: 'text', required: 'no', description: 'x'.repeat(2001) })),
    ).toEqual([
      { path: 'questions[0].required', message: 'must be true or false' },
      { path: 'questions[0].description', message: 'must be at most 2000 characters' },
    ]);
  });

  describe('options and labels', () => {
    it('needs a list', () => {
      expect(issuesOf(withQuestion({ name: 's', type: 'single_choice' }))).toEqual([
        { path: 'questions[0].options', message: 'must be a list of options' },
      ]);
      expect(issuesOf(withQuestion({ name: 's', type: 'spans', field: 'text', labels: 'PER' }))).toEqual([
        { path: 'questions[0].labels', message: 'must be a list of labels' },
      ]);
    });

    it('needs at least one', () => {
      expect(issuesOf(withQuestion({ name: 's', type: 'multi_choice', options: [] }))).toEqual([
        { path: 'questions[0].options', message: 'give at least one option' },
      ]);
      expect(issuesOf(withQuestion({ name: 's', type: 'bboxes', field: 'image', labels: [] }))).toEqual([
        { path: 'questions[0].labels', message: 'give at least one label' },
      ]);
      expect(issuesOf(withQuestion({ name: 's', type: 'bboxes', field: 'image', labels: [' '] }))).toEqual([
        { path: 'questions[0].labels[0]', message: 'a label must not be empty' },
      ]);
    });

    it('allows at most 200', () => {
      const options = Array.from({ length: 201 }, (_, i) => `o${i}`);
      expect(issuesOf(withQuestion({ name: 's', type: 'single_choice', options }))).toEqual([
        { path: 'questions[0].options', message: 'at most 200 options' },
      ]);
    });

    it('refuses empty, blank, long and non-string items, at their index', () => {
      expect(
        issuesOf(
          withQuestion({ name: 's', type: 'single_choice', options: ['ok', '', '  ', 'x'.repeat(201), 3] }),
        ),
      ).toEqual([
        { path: 'questions[0].options[1]', message: 'an option must not be empty' },
        { path: 'questions[0].options[2]', message: 'an option must not be empty' },
        { path: 'questions[0].options[3]', message: 'an option must be at most 200 characters' },
        { path: 'questions[0].options[4]', message: 'each option must be a string' },
      ]);
    });

    it('refuses duplicates, also after trimming', () => {
      expect(
        issuesOf(
          withQuestion({ name: 's', type: 'spans', field: 'text', labels: ['PER', 'ORG', 'PER ', 'ORG'] }),
        ),
      ).toEqual([
        { path: 'questions[0].labels[2]', message: 'duplicate label "PER"' },
        { path: 'questions[0].labels[3]', message: 'duplicate label "ORG"' },
      ]);
    });
  });

  describe('rating', () => {
    it('needs integers', () => {
      expect(issuesOf(withQuestion({ name: 'r', type: 'rating', min: 0.5, max: '5' }))).toEqual([
        { path: 'questions[0].min', message: 'must be an integer' },
        { path: 'questions[0].max', message: 'must be a number' },
      ]);
    });

    it('needs min below max', () => {
      expect(issuesOf(withQuestion({ name: 'r', type: 'rating', min: 5, max: 5 }))).toEqual([
        { path: 'questions[0].max', message: 'must be greater than min (5)' },
      ]);
      expect(issuesOf(withQuestion({ name: 'r', type: 'rating', min: 7, max: 1 }))).toEqual([
        { path: 'questions[0].max', message: 'must be greater than min (7)' },
      ]);
    });

    it('bounds values to ±1000 and the scale to 100 steps', () => {
      expect(issuesOf(withQuestion({ name: 'r', type: 'rating', min: -1001, max: 1001 }))).toEqual([
        { path: 'questions[0].min', message: 'must be at least -1000' },
        { path: 'questions[0].max', message: 'must be at most 1000' },
      ]);
      expect(issuesOf(withQuestion({ name: 'r', type: 'rating', min: 0, max: 101 }))).toEqual([
        { path: 'questions[0].max', message: 'a rating scale has at most 100 steps (max - min)' },
      ]);
    });

    it('needs min and max', () => {
      expect(issuesOf(withQuestion({ name: 'r', type: 'rating' })).map((i) => i.path)).toEqual([
        'questions[0].min',
        'questions[0].max',
      ]);
    });
  });

  describe('text', () => {
    it('bounds the lengths to 0..100000 integers', () => {
      expect(issuesOf(withQuestion({ name: 't', type: 'text', minLength: -1, maxLength: 100001 }))).toEqual([
        { path: 'questions[0].minLength', message: 'must be at least 0' },
        { path: 'questions[0].maxLength', message: 'must be at most 100000' },
      ]);
      expect(issuesOf(withQuestion({ name: 't', type: 'text', minLength: 1.5 }))).toEqual([
        { path: 'questions[0].minLength', message: 'must be an integer' },
      ]);
    });

    it('needs minLength ≤ maxLength, the default maxLength included', () => {
      expect(issuesOf(withQuestion({ name: 't', type: 'text', minLength: 10, maxLength: 9 }))).toEqual([
        { path: 'questions[0].maxLength', message: 'must be at least minLength (10)' },
      ]);
      expect(issuesOf(withQuestion({ name: 't', type: 'text', minLength: 30000 }))).toEqual([
        { path: 'questions[0].maxLength', message: 'must be at least minLength (30000)' },
      ]);
      expect(parseLabelConfig(withQuestion({ name: 't', type: 'text', minLength: 5, maxLength: 5 })).ok).toBe(
        true,
      );
      expect(
        parseLabelConfig(withQuestion({ name: 't', type: 'text', minLength: 30000, maxLength: 100000 })).ok,
      ).toBe(true);
    });
  });

  it('refuses a non-boolean allowTie', () => {
    expect(issuesOf(withQuestion({ name: 'p', type: 'pairwise', field: 'responses', allowTie: 1 }))).toEqual([
      { path: 'questions[0].allowTie', message: 'must be true or false' },
    ]);
  });
});

describe('parseLabelConfig: questions and the fields they read', () => {
  it('names a missing field', () => {
    expect(issuesOf(withQuestion({ name: 'e', type: 'spans', field: 'nope', labels: ['X'] }, 2))).toEqual([
      { path: 'questions[2].field', message: 'no field named "nope"' },
    ]);
  });

  it('needs a field on spans, bboxes, pairwise and ranking', () => {
    for (const q of [
      { name: 'q', type: 'spans', labels: ['X'] },
      { name: 'q', type: 'bboxes', labels: ['X'] },
      { name: 'q', type: 'pairwise' },
      { name: 'q', type: 'ranking' },
    ]) {
      expect(issuesOf(withQuestion(q)), q.type).toEqual([
        { path: 'questions[0].field', message: 'must be a string' },
      ]);
    }
  });

  it.each([
    ['spans', 'image', 'text', { labels: ['X'] }],
    ['spans', 'body', 'text', { labels: ['X'] }], // markdown is rendered: its offsets would not be the source's
    ['bboxes', 'text', 'image', { labels: ['X'] }],
    ['pairwise', 'dialogue', 'responses', {}],
    ['ranking', 'text', 'responses', {}],
  ])('%s on field %s needs a %s field', (type, field, needed, extra) => {
    const fieldTypes: Record<string, string> = {
      text: 'text',
      body: 'markdown',
      image: 'image',
      dialogue: 'chat',
      responses: 'responses',
    };
    expect(issuesOf(withQuestion({ name: 'q', type, field, ...extra }, 3))).toEqual([
      {
        path: 'questions[3].field',
        message: `question "q" needs a field of type ${needed}, "${field}" is ${fieldTypes[field]}`,
      },
    ]);
  });

  it('gives the exact message of the brief for spans on an image', () => {
    expect(
      issuesOf(withQuestion({ name: 'entities', type: 'spans', field: 'image', labels: ['PER'] }, 2)),
    ).toEqual([
      {
        path: 'questions[2].field',
        message: 'question "entities" needs a field of type text, "image" is image',
      },
    ]);
  });

  it.each([
    { name: 'q', type: 'single_choice', options: ['a'] },
    { name: 'q', type: 'multi_choice', options: ['a'] },
    { name: 'q', type: 'rating', min: 1, max: 5 },
    { name: 'q', type: 'text' },
  ])('refuses a field on a $type question', (q) => {
    expect(issuesOf(withQuestion({ ...q, field: 'text' }, 1))).toEqual([
      { path: 'questions[1].field', message: `${q.type} questions read no field` },
    ]);
  });

  it('reports shape and reference problems together where it can', () => {
    const c = clone();
    c.questions[2] = { name: 'entities', type: 'spans', field: 'nope', labels: ['A', 'A'] };
    expect(issuesOf(c)).toEqual([
      { path: 'questions[2].labels[1]', message: 'duplicate label "A"' },
      { path: 'questions[2].field', message: 'no field named "nope"' },
    ]);
  });

  it('tells which questions read a field', () => {
    const r = parseLabelConfig(SPEC_EXAMPLE);
    if (!r.ok) throw new Error('fails');
    expect(r.config.questions.filter(questionReadsField).map((q) => q.name)).toEqual([
      'entities',
      'objects',
      'better',
      'order',
    ]);
  });
});

describe('formatZodPath and formatZodIssues', () => {
  it('renders names with dots and indexes in brackets', () => {
    expect(formatZodPath([])).toBe('');
    expect(formatZodPath(['questions', 2, 'field'])).toBe('questions[2].field');
    expect(formatZodPath([0, 'a', 1, 2])).toBe('[0].a[1][2]');
    expect(formatZodPath(['labelConfig', 'fields', 0, 'name'])).toBe('labelConfig.fields[0].name');
    expect(formatZodPath([Symbol('s'), 'x'])).toBe('s.x');
  });

  it('renders issues of a schema that embeds the label config', () => {
    const body = z.strictObject({ labelConfig: labelConfigSchema });
    const r = body.safeParse({
      labelConfig: withQuestion({ name: 'e', type: 'spans', field: 'nope', labels: ['X'], extra: 1 }),
    });
    expect(r.success).toBe(false);
    expect(formatZodIssues(r.error!.issues)).toEqual([
      { path: 'labelConfig.questions[0].extra', message: 'unknown key' },
      { path: 'labelConfig.questions[0].field', message: 'no field named "nope"' },
    ]);
  });
});

describe('task data element schemas', () => {
  it('chatTurnSchema takes a role and string content, nothing else', () => {
    expect(chatTurnSchema.safeParse({ role: 'assistant', content: 'hi' }).success).toBe(true);
    expect(chatTurnSchema.safeParse({ role: 'tool', content: 'hi' }).error?.issues[0]?.message).toBe(
      'must be one of user, assistant, system',
    );
    expect(chatTurnSchema.safeParse({ role: 'user', content: 1 }).success).toBe(false);
    expect(chatTurnSchema.safeParse({ role: 'user', content: '', name: 'x' }).success).toBe(false);
  });

  it('responseCandidateSchema needs a non-empty id of at most 200 characters', () => {
    expect(responseCandidateSchema.safeParse({ id: 'a', text: '' }).success).toBe(true);
    expect(responseCandidateSchema.safeParse({ id: '', text: 'x' }).success).toBe(false);
    expect(responseCandidateSchema.safeParse({ id: 'x'.repeat(201), text: 'x' }).success).toBe(false);
    expect(responseCandidateSchema.safeParse({ id: 'x', text: 'x', score: 1 }).success).toBe(false);
  });
});
