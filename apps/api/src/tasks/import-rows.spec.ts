import { describe, expect, it } from 'vitest';
import { parseLabelConfig, type LabelConfigInput } from '@enclave/contracts';
import { parseJsonText, STAGING_COLUMNS, TaskRowEncoder, type RowResult } from './import-rows';

function labelConfig(input: LabelConfigInput) {
  const r = parseLabelConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

const TEXT = labelConfig({
  fields: [{ name: 'text', type: 'text' }],
  questions: [{ name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] }],
});
const IMAGES = labelConfig({
  fields: [
    { name: 'front', type: 'image' },
    { name: 'NULL', type: 'image' },
  ],
  questions: [{ name: 'boxes', type: 'bboxes', field: 'front', labels: ['car'] }],
});

const encoder = new TaskRowEncoder(TEXT, 32);

function issuesOf(result: RowResult) {
  if (result.ok) throw new Error(`expected issues, got ${result.row.copyLine}`);
  return result.issues;
}

function columnsOf(result: RowResult): Record<(typeof STAGING_COLUMNS)[number], string> {
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const line = result.row.copyLine;
  expect(line.endsWith('\n')).toBe(true);
  const values = line.slice(0, -1).split('\t');
  expect(values).toHaveLength(STAGING_COLUMNS.length);
  return Object.fromEntries(STAGING_COLUMNS.map((c, i) => [c, values[i]!])) as Record<
    (typeof STAGING_COLUMNS)[number],
    string
  >;
}

describe('parseJsonText', () => {
  it('parses once, and refuses keys that reach a prototype however they are spelled', () => {
    expect(parseJsonText('{"a":[1,{"b":null}]}', 32)).toEqual({ ok: true, value: { a: [1, { b: null }] } });
    for (const text of [
      '{"__proto__":{"x":1}}',
      '{"data":{"constructor":1}}',
      '{"prototype":1}',
      '{"\\u005f_proto__":{}}',
    ]) {
      const r = parseJsonText(text, 32);
      expect(r.ok, text).toBe(false);
      expect(!r.ok && r.message).toMatch(/is not allowed/);
    }
    // the words inside values are fine
    expect(parseJsonText('{"t":"the constructor of __proto__"}', 32).ok).toBe(true);
  });

  it('refuses nesting deeper than the limit and malformed JSON', () => {
    expect(parseJsonText(`${'['.repeat(40)}${']'.repeat(40)}`, 32)).toEqual({
      ok: false,
      message: 'nested deeper than 32 levels',
    });
    expect(parseJsonText('{"a":', 32)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^not valid JSON/),
    });
  });
});

describe('TaskRowEncoder', () => {
  it('writes a COPY line: line, externalId, priority, data, gold, image fields and ids', () => {
    const row = columnsOf(
      encoder.fromValue(7, {
        data: { text: 'a\tb\\c\nd', extra: 1 },
        externalId: 'e\t1',
        priority: -3,
        gold: { sentiment: 'pos' },
      }),
    );
    expect(row).toEqual({
      line: '7',
      external_id: 'e\\t1',
      priority: '-3',
      data: '{"text":"a\\\\tb\\\\\\\\c\\\\nd","extra":1}',
      gold: '{"sentiment":"pos"}',
      image_fields: '\\N',
      image_ids: '\\N',
    });
  });

  it('fills the defaults: no external id, priority 0, not gold', () => {
    const r = encoder.fromValue(1, { data: { text: 'x' }, externalId: null, priority: null, gold: null });
    expect(columnsOf(r)).toMatchObject({ external_id: '\\N', priority: '0', gold: '\\N' });
    expect(r.ok && r.row).toMatchObject({ hasExternalId: false, hasImages: false });
  });

  it('pairs each image field with its asset id, lower-cased, for the check in SQL', () => {
    const a = 'AAAAAAAA-1111-4111-8111-111111111111';
    const b = 'bbbbbbbb-2222-4222-8222-222222222222';
    const r = new TaskRowEncoder(IMAGES, 32).fromValue(1, { data: { front: a, NULL: b } });
    expect(columnsOf(r)).toMatchObject({
      image_fields: '{"front","NULL"}',
      image_ids: `{${a.toLowerCase()},${b}}`,
    });
    expect(r.ok && r.row.hasImages).toBe(true);
  });

  it('refuses what is not a task object', () => {
    for (const value of [null, 1, 'x', [{ data: {} }]]) {
      expect(issuesOf(encoder.fromValue(1, value))).toEqual([
        { message: expect.stringMatching(/^a task must be an object/) },
      ]);
    }
  });

  it('names unknown keys, a missing data, wrong field types', () => {
    expect(issuesOf(encoder.fromValue(1, { data: { text: 'x' }, colour: 1, id: 2 }))).toEqual([
      { path: 'colour', message: expect.stringMatching(/unknown key/) },
      { path: 'id', message: expect.stringMatching(/unknown key/) },
    ]);
    expect(issuesOf(encoder.fromValue(1, { externalId: 'x' }))).toEqual([
      { path: 'data', message: 'required' },
    ]);
    expect(issuesOf(encoder.fromValue(1, { data: { text: 5 } }))).toEqual([
      { path: 'data.text', message: expect.stringMatching(/string/) },
    ]);
    expect(issuesOf(encoder.fromValue(1, { data: {} }))).toEqual([
      { path: 'data.text', message: 'required' },
    ]);
  });

  it('checks externalId and priority', () => {
    const bad = (extra: Record<string, unknown>) =>
      issuesOf(encoder.fromValue(1, { data: { text: 'x' }, ...extra }));
    expect(bad({ externalId: '' })).toEqual([{ path: 'externalId', message: 'must not be empty' }]);
    expect(bad({ externalId: 7 })).toEqual([
      { path: 'externalId', message: 'must be a string, not a number' },
    ]);
    expect(bad({ externalId: 'x'.repeat(501) })).toEqual([
      { path: 'externalId', message: 'must be at most 500 characters' },
    ]);
    expect(bad({ externalId: 'a\0b' })).toEqual([
      { path: 'externalId', message: expect.stringMatching(/NUL/) },
    ]);
    expect(bad({ priority: 1.5 })).toEqual([{ path: 'priority', message: 'must be an integer, not 1.5' }]);
    expect(bad({ priority: '3' })).toEqual([
      { path: 'priority', message: 'must be an integer, not a string' },
    ]);
    expect(bad({ priority: 1_000_001 })).toEqual([
      { path: 'priority', message: 'must be between -1000000 and 1000000' },
    ]);
    // 500 characters of astral plane: 1000 UTF-16 units, still 500 characters
    expect(
      encoder.fromValue(1, { data: { text: 'x' }, externalId: '🎉'.repeat(500), priority: -1_000_000 }).ok,
    ).toBe(true);
  });

  it('checks a gold answer against the config and the data, under gold.', () => {
    const bad = (gold: unknown) => issuesOf(encoder.fromValue(1, { data: { text: 'x' }, gold }));
    expect(bad({})).toEqual([{ path: 'gold.sentiment', message: 'required' }]);
    expect(bad({ sentiment: 'meh' })).toEqual([{ path: 'gold.sentiment', message: expect.any(String) }]);
    expect(bad('pos')).toEqual([{ path: 'gold', message: expect.stringMatching(/object/) }]);
  });

  it('refuses what PostgreSQL could not store: NUL and lone surrogates in data or gold', () => {
    expect(issuesOf(encoder.fromValue(1, { data: { text: 'a\0b' } }))).toEqual([
      { path: 'data', message: expect.stringMatching(/NUL/) },
    ]);
    expect(issuesOf(encoder.fromValue(1, { data: { text: 'ok', note: '\uD800' } }))).toEqual([
      { path: 'data', message: expect.stringMatching(/surrogate/) },
    ]);
  });

  it('parses JSON rows with the same checks', () => {
    expect(issuesOf(encoder.fromJson(1, '{"data":{"text":"x"},'))).toEqual([
      { message: expect.stringMatching(/^not valid JSON/) },
    ]);
    expect(issuesOf(encoder.fromJson(1, '{"data":{"text":"x","__proto__":{}}}'))[0]!.message).toMatch(
      /__proto__/,
    );
    expect(encoder.fromJson(1, '{"data":{"text":"\\u00e9 🎉"}}').ok).toBe(true);
  });
});
