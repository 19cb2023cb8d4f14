import { labelConfigSchema, type LabelConfigInput, type SpanValue } from '@enclave/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength } from './text';
import { validateResult } from './validate-result';

const config = (input: LabelConfigInput) => labelConfigSchema.parse(input);

const FAMILY = '👩‍👩‍👧'; // 5 code points
const TEXT = `Hi ${FAMILY} Rene\u0301 at 東京!`; // René spelt with a combining acute: e + U+0301

/** The SPEC §4 example. */
const SPEC = config({
  fields: [
    { name: 'text', type: 'text' },
    { name: 'image', type: 'image' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [
    { name: 'sentiment', type: 'single_choice', options: ['pos', 'neg', 'neutral'] },
    { name: 'topics', type: 'multi_choice', options: ['a', 'b', 'c'], required: false },
    { name: 'entities', type: 'spans', field: 'text', labels: ['PER', 'ORG', 'LOC'] },
    { name: 'objects', type: 'bboxes', field: 'image', labels: ['car', 'person'] },
    { name: 'quality', type: 'rating', min: 1, max: 7 },
    { name: 'better', type: 'pairwise', field: 'responses', allowTie: true },
    { name: 'order', type: 'ranking', field: 'responses' },
    { name: 'rewrite', type: 'text', minLength: 2, maxLength: 10 },
  ],
});

const DATA = {
  text: TEXT,
  image: '0b7f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b',
  responses: [
    { id: 'r1', text: 'one' },
    { id: 'r2', text: 'two' },
    { id: 'r3', text: 'three' },
  ],
};

function validResult(): Record<string, unknown> {
  return {
    sentiment: 'pos',
    topics: ['a', 'c'],
    entities: [{ start: 9, end: 14, label: 'PER' }],
    objects: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.4, label: 'car' }],
    quality: 5,
    better: 'tie',
    order: ['r2', 'r1', 'r3'],
    rewrite: 'better',
  };
}

function issuesWith(patch: Record<string, unknown>, partial = false) {
  return validateResult(SPEC, DATA, { ...validResult(), ...patch }, { partial });
}

describe('validateResult: the result as a whole', () => {
  it('accepts a valid answer to every question', () => {
    expect(validateResult(SPEC, DATA, validResult())).toEqual([]);
  });

  it.each([null, 'pos', 3, [], new Map()])('needs a plain object, not %j', (result) => {
    expect(validateResult(SPEC, DATA, result)).toEqual([
      { path: '', message: expect.stringMatching(/^the result must be an object, not /) },
    ]);
  });

  it('refuses unknown keys, naming them', () => {
    expect(issuesWith({ nope: 1 })).toEqual([{ path: 'nope', message: 'no question named "nope"' }]);
  });

  it('refuses a key that is a prototype member name, not a question', () => {
    expect(
      validateResult(SPEC, DATA, JSON.parse(JSON.stringify({ ...validResult(), constructor: 'x' }))),
    ).toEqual([{ path: 'constructor', message: 'no question named "constructor"' }]);
  });

  it('reports each missing required question', () => {
    expect(validateResult(SPEC, DATA, {})).toEqual(
      ['sentiment', 'entities', 'objects', 'quality', 'better', 'order', 'rewrite'].map((q) => ({
        path: q,
        message: 'required',
      })),
    );
  });

  it('treats null as not answered', () => {
    expect(issuesWith({ sentiment: null, topics: null })).toEqual([
      { path: 'sentiment', message: 'required' },
    ]);
  });

  it('lets an optional question be absent or null', () => {
    const r = validResult();
    delete r.topics;
    expect(validateResult(SPEC, DATA, r)).toEqual([]);
    expect(issuesWith({ topics: null })).toEqual([]);
  });

  it('does not find answers on the prototype', () => {
    const c = config({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 'toString', type: 'text' }],
    });
    expect(validateResult(c, { t: '' }, {})).toEqual([{ path: 'toString', message: 'required' }]);
  });

  describe('partial (drafts)', () => {
    it('allows missing required answers', () => {
      expect(validateResult(SPEC, DATA, {}, { partial: true })).toEqual([]);
      expect(validateResult(SPEC, DATA, { sentiment: null }, { partial: true })).toEqual([]);
    });

    it('still checks the shape of every answer given', () => {
      expect(
        validateResult(SPEC, DATA, { sentiment: 'meh', nope: 1, order: ['r9'] }, { partial: true }),
      ).toEqual([
        { path: 'nope', message: 'no question named "nope"' },
        { path: 'sentiment', message: '"meh" is not one of the options ("pos", "neg", "neutral")' },
        { path: 'order[0]', message: '"r9" is not a response of this task ("r1", "r2", "r3")' },
      ]);
    });

    it('allows an empty multi_choice, a short text and an incomplete ranking, not a long text', () => {
      const c = config({
        fields: [{ name: 'r', type: 'responses' }],
        questions: [
          { name: 'm', type: 'multi_choice', options: ['a'] },
          { name: 't', type: 'text', minLength: 5, maxLength: 6 },
          { name: 'o', type: 'ranking', field: 'r' },
        ],
      });
      const data = {
        r: [
          { id: 'x', text: '' },
          { id: 'y', text: '' },
        ],
      };
      expect(validateResult(c, data, { m: [], t: 'ab', o: ['y'] }, { partial: true })).toEqual([]);
      expect(validateResult(c, data, { t: 'abcdefg' }, { partial: true })).toEqual([
        { path: 't', message: 'must be at most 6 characters' },
      ]);
      expect(validateResult(c, data, { m: [], t: 'ab', o: ['y'] })).toEqual([
        { path: 'm', message: 'choose at least one option' },
        { path: 't', message: 'must be at least 5 characters' },
        { path: 'o', message: 'rank every response: "x" is missing' },
      ]);
    });
  });
});

describe('single_choice', () => {
  it('needs one of the options', () => {
    expect(issuesWith({ sentiment: 'neutral' })).toEqual([]);
    expect(issuesWith({ sentiment: 'Pos' })).toEqual([
      { path: 'sentiment', message: '"Pos" is not one of the options ("pos", "neg", "neutral")' },
    ]);
    expect(issuesWith({ sentiment: ['pos'] })).toEqual([
      { path: 'sentiment', message: 'an array is not one of the options ("pos", "neg", "neutral")' },
    ]);
    expect(issuesWith({ sentiment: 1 })).toEqual([
      { path: 'sentiment', message: 'a number is not one of the options ("pos", "neg", "neutral")' },
    ]);
  });

  it('cuts a long option list in its message', () => {
    const options = Array.from({ length: 30 }, (_, i) => `o${i}`);
    const c = config({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 's', type: 'single_choice', options }],
    });
    const [issue] = validateResult(c, { t: '' }, { s: 'x' });
    expect(issue?.message).toBe(
      '"x" is not one of the options ("o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9" … (30 in all))',
    );
  });
});

describe('multi_choice', () => {
  it('needs a list of distinct options', () => {
    expect(issuesWith({ topics: ['b'] })).toEqual([]);
    expect(issuesWith({ topics: 'a' })).toEqual([
      { path: 'topics', message: 'must be a list of options, not a string' },
    ]);
    expect(issuesWith({ topics: ['a', 'z', 'a', 3] })).toEqual([
      { path: 'topics[1]', message: '"z" is not one of the options ("a", "b", "c")' },
      { path: 'topics[2]', message: '"a" is chosen twice' },
      { path: 'topics[3]', message: 'a number is not one of the options ("a", "b", "c")' },
    ]);
  });

  it('may be empty when optional, not when required', () => {
    expect(issuesWith({ topics: [] })).toEqual([]);
    const c = config({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 'm', type: 'multi_choice', options: ['a'] }],
    });
    expect(validateResult(c, { t: '' }, { m: [] })).toEqual([
      { path: 'm', message: 'choose at least one option' },
    ]);
  });
});

describe('spans', () => {
  const LENGTH = codePointLength(TEXT);

  it('counts offsets in code points', () => {
    // "Hi " 3 + family 5 + " " 1 + René 5 (R e n e U+0301) + " at " 4 + 東京 2 + "!" 1
    expect(LENGTH).toBe(21);
    expect(TEXT.length).toBe(24);
  });

  it('accepts spans up to the very end and overlapping spans', () => {
    expect(
      issuesWith({
        entities: [
          { start: 0, end: LENGTH, label: 'ORG' },
          { start: 3, end: 8, label: 'PER' }, // the family emoji, all five code points
          { start: 3, end: 4, label: 'PER' }, // half a ZWJ sequence: allowed, offsets are code points
          { start: 13, end: 14, label: 'LOC' }, // the combining mark alone
          { start: LENGTH - 3, end: LENGTH - 1, label: 'LOC' }, // 東京
        ],
      }),
    ).toEqual([]);
  });

  it('accepts an empty list for a required question: nothing to mark is an answer', () => {
    expect(issuesWith({ entities: [] })).toEqual([]);
  });

  it('needs a list of { start, end, label } objects exactly', () => {
    expect(issuesWith({ entities: { start: 0, end: 1, label: 'PER' } })).toEqual([
      { path: 'entities', message: 'must be a list of spans ({ start, end, label }), not an object' },
    ]);
    expect(
      issuesWith({ entities: [null, { start: 0, end: 1 }, { start: 0, end: 1, label: 'PER', text: 'H' }] }),
    ).toEqual([
      { path: 'entities[0]', message: 'must be an object with start, end, label, not null' },
      { path: 'entities[1].label', message: 'required' },
      { path: 'entities[2].text', message: 'unknown key' },
    ]);
  });

  it('needs integer offsets', () => {
    expect(issuesWith({ entities: [{ start: 0.5, end: '2', label: 'PER' }] })).toEqual([
      { path: 'entities[0].start', message: 'must be an integer, not 0.5' },
      { path: 'entities[0].end', message: 'must be an integer, not a string' },
    ]);
    expect(issuesWith({ entities: [{ start: Number.NaN, end: Infinity, label: 'PER' }] })).toEqual([
      { path: 'entities[0].start', message: 'must be an integer, not NaN' },
      { path: 'entities[0].end', message: 'must be an integer, not Infinity' },
    ]);
  });

  it('needs 0 ≤ start < end ≤ length', () => {
    expect(issuesWith({ entities: [{ start: -1, end: 2, label: 'PER' }] })).toEqual([
      { path: 'entities[0].start', message: 'must be at least 0' },
    ]);
    expect(issuesWith({ entities: [{ start: 4, end: 4, label: 'PER' }] })).toEqual([
      { path: 'entities[0].end', message: 'must be greater than start (4)' },
    ]);
    expect(issuesWith({ entities: [{ start: 5, end: 2, label: 'PER' }] })).toEqual([
      { path: 'entities[0].end', message: 'must be greater than start (5)' },
    ]);
    expect(issuesWith({ entities: [{ start: 0, end: LENGTH + 1, label: 'PER' }] })).toEqual([
      { path: 'entities[0].end', message: `must be at most ${LENGTH}, the length of "text" in code points` },
    ]);
  });

  it('measures against code points, not UTF-16 units', () => {
    expect(TEXT.length).toBeGreaterThan(LENGTH);
    expect(issuesWith({ entities: [{ start: 0, end: TEXT.length, label: 'PER' }] })).toEqual([
      { path: 'entities[0].end', message: `must be at most ${LENGTH}, the length of "text" in code points` },
    ]);
  });

  it('needs a label of the question', () => {
    expect(
      issuesWith({
        entities: [
          { start: 0, end: 1, label: 'MISC' },
          { start: 0, end: 1, label: 5 },
        ],
      }),
    ).toEqual([
      { path: 'entities[0].label', message: '"MISC" is not one of the labels ("PER", "ORG", "LOC")' },
      { path: 'entities[1].label', message: 'a number is not one of the labels ("PER", "ORG", "LOC")' },
    ]);
  });

  it('refuses exact duplicates, not the same range with another label', () => {
    expect(
      issuesWith({
        entities: [
          { start: 0, end: 2, label: 'PER' },
          { start: 0, end: 2, label: 'ORG' },
          { start: 0, end: 2, label: 'PER' },
        ],
      }),
    ).toEqual([{ path: 'entities[2]', message: 'the same span as entities[0]' }]);
  });

  it("says it cannot check spans when the task's text is not a string", () => {
    expect(validateResult(SPEC, { ...DATA, text: 5 }, { ...validResult() })).toEqual([
      { path: 'entities', message: 'cannot check spans: the task\'s "text" is not text' },
    ]);
  });

  describe('properties', () => {
    const spansConfig = config({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 's', type: 'spans', field: 't', labels: ['A', 'B'] }],
    });
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 });
    /** A text and distinct spans inside it. */
    const textAndSpans = text.chain((t) => {
      const n = [...t].length;
      const span = fc
        .tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: n }), fc.constantFrom('A', 'B'))
        .filter(([a, b]) => a < b)
        .map(([start, end, label]): SpanValue => ({ start, end, label }));
      return fc.tuple(
        fc.constant(t),
        fc.uniqueArray(span, { selector: (s) => `${s.start}:${s.end}:${s.label}`, maxLength: 8 }),
      );
    });

    it('any list of distinct spans inside any unicode text validates', () => {
      fc.assert(
        fc.property(textAndSpans, ([t, s]) => validateResult(spansConfig, { t }, { s }).length === 0),
      );
    });

    it('any span reaching past the end or before the start fails, at that span', () => {
      fc.assert(
        fc.property(text, fc.integer({ min: 1, max: 50 }), fc.boolean(), (t, past, before) => {
          const n = [...t].length;
          const bad = before ? { start: -past, end: n, label: 'A' } : { start: 0, end: n + past, label: 'A' };
          const issues = validateResult(spansConfig, { t }, { s: [{ start: 0, end: n, label: 'B' }, bad] });
          return issues.length === 1 && issues[0]!.path === (before ? 's[1].start' : 's[1].end');
        }),
      );
    });
  });
});

describe('bboxes', () => {
  const box = (b: Record<string, unknown>) => ({
    objects: [{ x: 0.1, y: 0.1, width: 0.2, height: 0.2, label: 'car', ...b }],
  });

  it('accepts boxes inside the image, touching its edges, and none at all', () => {
    expect(issuesWith(box({ x: 0, y: 0, width: 1, height: 1 }))).toEqual([]);
    expect(issuesWith({ objects: [] })).toEqual([]);
  });

  it('allows float slack at the far edges', () => {
    // 0.7 + 0.3 in floating point is 0.9999999999999999, 0.1 + 0.9 is 1, 0.6 + 0.4 is 1
    expect(issuesWith(box({ x: 0.7, width: 0.3, y: 0.6, height: 0.4 }))).toEqual([]);
    expect(issuesWith(box({ x: 0.8, width: 0.2 + 5e-10 }))).toEqual([]);
    expect(issuesWith(box({ x: -5e-10 }))).toEqual([]);
    expect(issuesWith(box({ x: 0.8, width: 0.2 + 1e-8 }))).toEqual([
      { path: 'objects[0].width', message: 'the box passes the right edge: x + width must be at most 1' },
    ]);
  });

  it('needs finite numbers', () => {
    expect(issuesWith(box({ x: '0.1', y: Number.NaN, width: Infinity, height: null }))).toEqual([
      { path: 'objects[0].x', message: 'must be a finite number, not a string' },
      { path: 'objects[0].y', message: 'must be a finite number, not NaN' },
      { path: 'objects[0].width', message: 'must be a finite number, not Infinity' },
      { path: 'objects[0].height', message: 'must be a finite number, not null' },
    ]);
  });

  it('needs x, y ≥ 0 and a positive size', () => {
    expect(issuesWith(box({ x: -0.01, y: -1, width: 0, height: -0.1 }))).toEqual([
      { path: 'objects[0].x', message: 'must be at least 0' },
      { path: 'objects[0].y', message: 'must be at least 0' },
      { path: 'objects[0].width', message: 'must be greater than 0' },
      { path: 'objects[0].height', message: 'must be greater than 0' },
    ]);
  });

  it('needs the box inside the image', () => {
    expect(issuesWith(box({ x: 0.9, width: 0.2, y: 0.5, height: 0.6 }))).toEqual([
      { path: 'objects[0].width', message: 'the box passes the right edge: x + width must be at most 1' },
      { path: 'objects[0].height', message: 'the box passes the bottom edge: y + height must be at most 1' },
    ]);
    expect(issuesWith(box({ x: 1.5 }))).toEqual([
      { path: 'objects[0].width', message: 'the box passes the right edge: x + width must be at most 1' },
    ]);
  });

  it('needs a label of the question and exact keys', () => {
    expect(issuesWith(box({ label: 'bus' }))).toEqual([
      { path: 'objects[0].label', message: '"bus" is not one of the labels ("car", "person")' },
    ]);
    expect(issuesWith({ objects: [{ x: 0, y: 0, w: 1, h: 1, label: 'car' }] })).toEqual([
      { path: 'objects[0].width', message: 'required' },
      { path: 'objects[0].height', message: 'required' },
      { path: 'objects[0].w', message: 'unknown key' },
      { path: 'objects[0].h', message: 'unknown key' },
    ]);
    expect(issuesWith({ objects: 'car' })).toEqual([
      { path: 'objects', message: 'must be a list of boxes ({ x, y, width, height, label }), not a string' },
    ]);
  });

  it('accepts any box built inside the unit square (property)', () => {
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(unit, unit, unit, unit, (a, b, c, d) => {
        const [x0, x1] = a < b ? [a, b] : [b, a];
        const [y0, y1] = c < d ? [c, d] : [d, c];
        if (x1 - x0 <= 0 || y1 - y0 <= 0) return true;
        return (
          issuesWith({ objects: [{ x: x0, y: y0, width: x1 - x0, height: y1 - y0, label: 'person' }] })
            .length === 0
        );
      }),
    );
  });
});

describe('rating', () => {
  it('needs an integer in [min, max]', () => {
    expect(issuesWith({ quality: 1 })).toEqual([]);
    expect(issuesWith({ quality: 7 })).toEqual([]);
    for (const quality of [0, 8, 3.5]) {
      expect(issuesWith({ quality })).toEqual([
        { path: 'quality', message: `must be an integer from 1 to 7, not ${quality}` },
      ]);
    }
    expect(issuesWith({ quality: '5' })).toEqual([
      { path: 'quality', message: 'must be an integer from 1 to 7, not a string' },
    ]);
  });

  it('works with negative ranges', () => {
    const c = config({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 'r', type: 'rating', min: -3, max: 3 }],
    });
    expect(validateResult(c, { t: '' }, { r: -3 })).toEqual([]);
    expect(validateResult(c, { t: '' }, { r: -4 })).toHaveLength(1);
  });
});

describe('pairwise', () => {
  const noTie = config({
    fields: [{ name: 'r', type: 'responses' }],
    questions: [{ name: 'p', type: 'pairwise', field: 'r' }],
  });
  const data = {
    r: [
      { id: 'x', text: '' },
      { id: 'y', text: '' },
    ],
  };

  it('takes "a", "b" and, when allowed, "tie"', () => {
    for (const better of ['a', 'b', 'tie']) expect(issuesWith({ better })).toEqual([]);
    expect(validateResult(noTie, data, { p: 'a' })).toEqual([]);
    expect(validateResult(noTie, data, { p: 'b' })).toEqual([]);
  });

  it('refuses a tie when not allowed', () => {
    expect(validateResult(noTie, data, { p: 'tie' })).toEqual([
      { path: 'p', message: 'a tie is not allowed for this question: choose "a" or "b"' },
    ]);
  });

  it('refuses anything else', () => {
    expect(issuesWith({ better: 'x' })).toEqual([{ path: 'better', message: 'must be "a", "b" or "tie"' }]);
    expect(validateResult(noTie, data, { p: 'A' })).toEqual([{ path: 'p', message: 'must be "a" or "b"' }]);
    expect(validateResult(noTie, data, { p: 0 })).toEqual([{ path: 'p', message: 'must be "a" or "b"' }]);
  });
});

describe('ranking', () => {
  it('needs every response id once, best first', () => {
    expect(issuesWith({ order: ['r3', 'r2', 'r1'] })).toEqual([]);
    expect(issuesWith({ order: 'r1' })).toEqual([
      { path: 'order', message: 'must be a list of response ids, best first, not a string' },
    ]);
    expect(issuesWith({ order: ['r1', 'r1', 'r4', 2] })).toEqual([
      { path: 'order[1]', message: '"r1" is ranked twice' },
      { path: 'order[2]', message: '"r4" is not a response of this task ("r1", "r2", "r3")' },
      { path: 'order[3]', message: 'a number is not a response of this task ("r1", "r2", "r3")' },
      { path: 'order', message: 'rank every response: "r2", "r3" are missing' },
    ]);
    expect(issuesWith({ order: [] })).toEqual([
      { path: 'order', message: 'rank every response: "r1", "r2", "r3" are missing' },
    ]);
  });

  it("says it cannot check when the task's responses are not readable", () => {
    expect(validateResult(SPEC, { ...DATA, responses: 'x' }, { ...validResult(), better: 'a' })).toEqual([
      {
        path: 'order',
        message: 'cannot check the ranking: the task\'s "responses" is not a list of responses',
      },
    ]);
  });

  describe('properties', () => {
    const rankConfig = config({
      fields: [{ name: 'r', type: 'responses' }],
      questions: [{ name: 'o', type: 'ranking', field: 'r' }],
    });
    const ids = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 8 });

    it('any permutation of the ids is a valid ranking', () => {
      fc.assert(
        fc.property(
          ids.chain((list) =>
            fc.tuple(
              fc.constant(list),
              fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
            ),
          ),
          ([list, order]) =>
            validateResult(rankConfig, { r: list.map((id) => ({ id, text: '' })) }, { o: order }).length ===
            0,
        ),
      );
    });

    it('any list that is not a permutation of the ids fails', () => {
      fc.assert(
        fc.property(ids, fc.array(fc.string({ maxLength: 8 }), { maxLength: 10 }), (list, order) => {
          const sorted = (a: string[]) => [...a].sort().join('\u0000');
          fc.pre(sorted(order) !== sorted(list) || order.length !== list.length);
          return (
            validateResult(rankConfig, { r: list.map((id) => ({ id, text: '' })) }, { o: order }).length > 0
          );
        }),
      );
    });
  });
});

describe('text', () => {
  it('needs a string within the length bounds, counted in code points', () => {
    expect(issuesWith({ rewrite: 'ab' })).toEqual([]);
    expect(issuesWith({ rewrite: 'a'.repeat(10) })).toEqual([]);
    expect(issuesWith({ rewrite: 'a' })).toEqual([
      { path: 'rewrite', message: 'must be at least 2 characters' },
    ]);
    expect(issuesWith({ rewrite: 'a'.repeat(11) })).toEqual([
      { path: 'rewrite', message: 'must be at most 10 characters' },
    ]);
    expect(issuesWith({ rewrite: 3 })).toEqual([
      { path: 'rewrite', message: 'must be a string, not a number' },
    ]);
  });

  it('counts an emoji once and a ZWJ sequence by its parts', () => {
    expect(issuesWith({ rewrite: '😀'.repeat(10) })).toEqual([]); // 20 UTF-16 units, 10 code points
    expect(issuesWith({ rewrite: `${FAMILY}${FAMILY}` })).toEqual([]); // 10 code points
    expect(issuesWith({ rewrite: `${FAMILY}${FAMILY}!` })).toEqual([
      { path: 'rewrite', message: 'must be at most 10 characters' },
    ]);
    expect(issuesWith({ rewrite: '😀' })).toEqual([
      { path: 'rewrite', message: 'must be at least 2 characters' },
    ]);
  });

  it('says "1 character" in the singular', () => {
    const c = config({
      fields: [{ name: 't', type: 'text' }],
      questions: [{ name: 'w', type: 'text', minLength: 1, maxLength: 1 }],
    });
    expect(validateResult(c, { t: '' }, { w: '' })).toEqual([
      { path: 'w', message: 'must be at least 1 character' },
    ]);
    expect(validateResult(c, { t: '' }, { w: 'ab' })).toEqual([
      { path: 'w', message: 'must be at most 1 character' },
    ]);
  });

  it('lets a required text with minLength 0 be empty', () => {
    const c = config({ fields: [{ name: 't', type: 'text' }], questions: [{ name: 'w', type: 'text' }] });
    expect(validateResult(c, { t: '' }, { w: '' })).toEqual([]);
    expect(validateResult(c, { t: '' }, { w: 'x'.repeat(20001) })).toEqual([
      { path: 'w', message: 'must be at most 20000 characters' },
    ]);
  });
});
