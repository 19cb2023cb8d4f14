import { labelConfigSchema, type LabelConfigInput } from '@enclave/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageAssetIds, validateTaskData } from './validate-data';

const config = (input: LabelConfigInput) => labelConfigSchema.parse(input);

const ASSET = '0b7f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b';

/** Every field type; `responses` is compared by a ranking question, `others` by nothing. */
const ALL = config({
  fields: [
    { name: 'text', type: 'text' },
    { name: 'body', type: 'markdown' },
    { name: 'image', type: 'image' },
    { name: 'dialogue', type: 'chat' },
    { name: 'responses', type: 'responses' },
    { name: 'others', type: 'responses' },
  ],
  questions: [
    { name: 'q', type: 'rating', min: 1, max: 5 },
    { name: 'order', type: 'ranking', field: 'responses' },
  ],
});

function validData(): Record<string, unknown> {
  return {
    text: 'Hello',
    body: '# Title',
    image: ASSET,
    dialogue: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '' },
    ],
    responses: [
      { id: 'r1', text: 'One' },
      { id: 'r2', text: 'Two' },
    ],
    others: [],
  };
}

function issuesWith(patch: Record<string, unknown>) {
  return validateTaskData(ALL, { ...validData(), ...patch });
}

describe('validateTaskData', () => {
  it('accepts data with every field of its type', () => {
    expect(validateTaskData(ALL, validData())).toEqual([]);
  });

  it('allows keys beyond the fields (metadata)', () => {
    expect(validateTaskData(ALL, { ...validData(), source: 'crawl-7', meta: { split: 'dev' } })).toEqual([]);
  });

  it.each([null, 'text', 3, [], new Date(0)])('needs a plain object, not %j', (data) => {
    expect(validateTaskData(ALL, data)).toEqual([
      { path: 'data', message: expect.stringMatching(/^must be an object, not /) },
    ]);
  });

  it('accepts an object without a prototype (JSON parsed into one)', () => {
    const data = Object.assign(Object.create(null) as object, validData());
    expect(validateTaskData(ALL, data)).toEqual([]);
  });

  it('reports every missing field as required', () => {
    expect(validateTaskData(ALL, {})).toEqual(
      ['text', 'body', 'image', 'dialogue', 'responses', 'others'].map((f) => ({
        path: `data.${f}`,
        message: 'required',
      })),
    );
  });

  it('reads only own properties: a field named like a prototype member is still missing', () => {
    const c = config({
      fields: [
        { name: 'constructor', type: 'text' },
        { name: 'toString', type: 'text' },
      ],
      questions: [{ name: 'q', type: 'text' }],
    });
    expect(validateTaskData(c, {})).toEqual([
      { path: 'data.constructor', message: 'required' },
      { path: 'data.toString', message: 'required' },
    ]);
    expect(validateTaskData(c, JSON.parse('{"constructor":"a","toString":"b"}'))).toEqual([]);
  });

  describe('text and markdown', () => {
    it('need strings', () => {
      expect(issuesWith({ text: 5, body: null })).toEqual([
        { path: 'data.text', message: 'must be a string, not a number' },
        { path: 'data.body', message: 'must be a string, not null' },
      ]);
    });

    it('may be empty', () => {
      expect(issuesWith({ text: '', body: '' })).toEqual([]);
    });

    it('are at most 1,000,000 code points', () => {
      expect(issuesWith({ text: 'a'.repeat(1_000_000) })).toEqual([]);
      expect(issuesWith({ text: 'a'.repeat(1_000_001) })).toEqual([
        { path: 'data.text', message: 'must be at most 1000000 characters' },
      ]);
      // 1,000,000 emoji are 2,000,000 UTF-16 units but 1,000,000 code points
      expect(issuesWith({ body: '😀'.repeat(1_000_000) })).toEqual([]);
      expect(issuesWith({ body: '😀'.repeat(1_000_001) })).toEqual([
        { path: 'data.body', message: 'must be at most 1000000 characters' },
      ]);
    });
  });

  describe('image', () => {
    it('needs a UUID, any case', () => {
      expect(issuesWith({ image: ASSET.toUpperCase() })).toEqual([]);
    });

    it.each([
      ['https://example.com/a.png', 'must be an image asset id (a UUID), not "https://example.com/a.png"'],
      ['sample:street-01.png', 'must be an image asset id (a UUID), not "sample:street-01.png"'],
      [`${ASSET}x`, `must be an image asset id (a UUID), not "${ASSET}x"`],
      [42, 'must be an image asset id (a UUID), not a number'],
    ])('refuses %j', (image, message) => {
      expect(issuesWith({ image })).toEqual([{ path: 'data.image', message }]);
    });
  });

  describe('chat', () => {
    it('needs a non-empty list', () => {
      expect(issuesWith({ dialogue: 'hi' })).toEqual([
        { path: 'data.dialogue', message: 'must be a list of chat turns, not a string' },
      ]);
      expect(issuesWith({ dialogue: [] })).toEqual([
        { path: 'data.dialogue', message: 'must have at least one turn' },
      ]);
    });

    it('needs each turn to be { role, content } exactly', () => {
      expect(
        issuesWith({
          dialogue: [
            { role: 'user', content: 'ok' },
            'hello',
            { role: 'tool', content: 'x' },
            { role: 'user' },
            { content: 3 },
            { role: 'assistant', content: 'x', name: 'bot' },
          ],
        }),
      ).toEqual([
        { path: 'data.dialogue[1]', message: 'must be an object with role and content, not a string' },
        { path: 'data.dialogue[2].role', message: 'must be one of user, assistant, system' },
        { path: 'data.dialogue[3].content', message: 'required' },
        { path: 'data.dialogue[4].role', message: 'required' },
        { path: 'data.dialogue[4].content', message: 'must be a string, not a number' },
        { path: 'data.dialogue[5].name', message: 'unknown key' },
      ]);
    });
  });

  describe('responses', () => {
    it('needs a list of { id, text }', () => {
      expect(issuesWith({ others: {} })).toEqual([
        { path: 'data.others', message: 'must be a list of responses ({ id, text }), not an object' },
      ]);
      expect(
        issuesWith({
          others: [
            { id: 'a', text: 'x' },
            null,
            { id: 'b' },
            { text: 'y' },
            { id: 'c', text: 1 },
            { id: 'd', text: '', model: 'm' },
          ],
        }),
      ).toEqual([
        { path: 'data.others[1]', message: 'must be an object with id and text, not null' },
        { path: 'data.others[2].text', message: 'required' },
        { path: 'data.others[3].id', message: 'required' },
        { path: 'data.others[4].text', message: 'must be a string, not a number' },
        { path: 'data.others[5].model', message: 'unknown key' },
      ]);
    });

    it('needs non-empty, short, unique string ids', () => {
      expect(
        issuesWith({
          others: [
            { id: 'a', text: '' },
            { id: '', text: '' },
            { id: 7, text: '' },
            { id: 'x'.repeat(201), text: '' },
            { id: 'a', text: '' },
          ],
        }),
      ).toEqual([
        { path: 'data.others[1].id', message: 'must not be empty' },
        { path: 'data.others[2].id', message: 'must be a string, not a number' },
        { path: 'data.others[3].id', message: 'must be at most 200 characters' },
        { path: 'data.others[4].id', message: 'duplicate id "a" (also data.others[0])' },
      ]);
    });

    it('needs two candidates when a ranking or pairwise question compares them', () => {
      expect(issuesWith({ responses: [{ id: 'r1', text: '' }] })).toEqual([
        { path: 'data.responses', message: 'must have at least 2 responses to compare, has 1 response' },
      ]);
      expect(issuesWith({ responses: [] })).toEqual([
        { path: 'data.responses', message: 'must have at least 2 responses to compare, has 0 responses' },
      ]);
      const pairwise = config({
        fields: [{ name: 'r', type: 'responses' }],
        questions: [{ name: 'p', type: 'pairwise', field: 'r' }],
      });
      expect(validateTaskData(pairwise, { r: [{ id: 'a', text: '' }] })).toEqual([
        { path: 'data.r', message: 'must have at least 2 responses to compare, has 1 response' },
      ]);
      expect(
        validateTaskData(pairwise, {
          r: [
            { id: 'a', text: '' },
            { id: 'b', text: '' },
            { id: 'c', text: '' },
          ],
        }),
      ).toEqual([]);
    });

    it('may be empty when nothing compares them', () => {
      expect(issuesWith({ others: [] })).toEqual([]);
    });

    it('accepts any list of candidates with distinct non-empty ids (property)', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.string({ minLength: 1, maxLength: 200 }), { minLength: 2, maxLength: 10 }),
          fc.string(),
          (ids, text) =>
            validateTaskData(ALL, { ...validData(), responses: ids.map((id) => ({ id, text })) }).length ===
            0,
        ),
      );
    });
  });
});

describe('imageAssetIds', () => {
  const c = config({
    fields: [
      { name: 'left', type: 'image' },
      { name: 'right', type: 'image' },
      { name: 'caption', type: 'text' },
    ],
    questions: [{ name: 'q', type: 'text' }],
  });

  it('lists the distinct asset ids of the image fields, lower-cased', () => {
    expect(imageAssetIds(c, { left: ASSET, right: ASSET.toUpperCase(), caption: 'c' })).toEqual([ASSET]);
    const other = '11111111-2222-4333-8444-555555555555';
    expect(imageAssetIds(c, { left: ASSET, right: other })).toEqual([ASSET, other]);
  });

  it('skips values that are not UUIDs and fields of other types', () => {
    expect(imageAssetIds(c, { left: 'sample:x.png', right: 5, caption: ASSET })).toEqual([]);
    expect(imageAssetIds(c, null)).toEqual([]);
  });
});
