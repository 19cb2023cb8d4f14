import { describe, expect, it } from 'vitest';
import { csvLayout, csvRecordToRow, type CsvLayout } from './import-csv';
import { parseLabelConfig, type LabelConfigInput } from '@enclave/contracts';

function labelConfig(input: LabelConfigInput) {
  const r = parseLabelConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

const RLHF = labelConfig({
  fields: [
    { name: 'prompt', type: 'text' },
    { name: 'photo', type: 'image' },
    { name: 'responses', type: 'responses' },
  ],
  questions: [{ name: 'better', type: 'pairwise', field: 'responses' }],
});
const NAMED_LIKE_COLUMNS = labelConfig({
  fields: [
    { name: 'data', type: 'text' },
    { name: 'priority', type: 'markdown' },
  ],
  questions: [{ name: 'ok', type: 'single_choice', options: ['y', 'n'] }],
});

function layoutOf(header: string[], config = RLHF): CsvLayout {
  const r = csvLayout(config, header);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.layout;
}

describe('csvLayout', () => {
  it('maps one column per field, plus the optional columns, in any order, trimming header names', () => {
    expect(layoutOf([' responses', 'gold', 'prompt ', 'externalId', 'photo', 'priority'])).toEqual({
      width: 6,
      data: null,
      fields: [
        { index: 0, field: RLHF.fields[2] },
        { index: 2, field: RLHF.fields[0] },
        { index: 4, field: RLHF.fields[1] },
      ],
      externalId: 3,
      priority: 5,
      gold: 1,
    });
  });

  it('maps a data column', () => {
    expect(layoutOf(['data', 'externalId'])).toMatchObject({
      data: 0,
      fields: [],
      externalId: 1,
      priority: null,
      gold: null,
    });
  });

  it('refuses unknown, duplicate and empty column names', () => {
    const r = csvLayout(RLHF, ['prompt', 'Prompt', 'prompt', '', 'photo', 'responses']);
    expect(r).toEqual({
      ok: false,
      issues: [
        {
          path: 'column 2',
          message: expect.stringMatching(
            /^unknown column "Prompt" \(columns: data, prompt, photo, responses, externalId/,
          ),
        },
        { path: 'column 3', message: '"prompt" is also column 1' },
        { path: 'column 4', message: 'the header names no column here' },
      ],
    });
  });

  it('refuses a header missing fields, or mixing data with field columns', () => {
    expect(csvLayout(RLHF, ['prompt', 'externalId'])).toEqual({
      ok: false,
      issues: [
        { message: 'no column for the fields photo, responses (or give one "data" column of JSON objects)' },
      ],
    });
    expect(csvLayout(RLHF, ['data', 'prompt'])).toEqual({
      ok: false,
      issues: [{ message: expect.stringMatching(/either a "data" column/) }],
    });
  });

  it('lets a field named like a reserved column win', () => {
    expect(layoutOf(['data', 'priority'], NAMED_LIKE_COLUMNS)).toMatchObject({
      data: null,
      priority: null,
      fields: [{ index: 0 }, { index: 1 }],
    });
  });
});

describe('csvRecordToRow', () => {
  const layout = layoutOf(['prompt', 'photo', 'responses', 'externalId', 'priority', 'gold']);
  const responses = '[{"id":"a","text":"x"},{"id":"b","text":"y"}]';

  it('takes text and image cells as they are, other fields and gold as JSON, empty optional cells as absent', () => {
    expect(
      csvRecordToRow(layout, ['  spaced  ', 'id-1', responses, 'e1', ' 12 ', '{"better":"a"}'], 32),
    ).toEqual({
      ok: true,
      value: {
        data: {
          prompt: '  spaced  ',
          photo: 'id-1',
          responses: [
            { id: 'a', text: 'x' },
            { id: 'b', text: 'y' },
          ],
        },
        externalId: 'e1',
        priority: 12,
        gold: { better: 'a' },
      },
    });
    expect(csvRecordToRow(layout, ['', '', '', '', '', ''], 32)).toEqual({
      ok: true,
      value: { data: { prompt: '', photo: '' } },
    });
  });

  it('names the cell that is not JSON, a priority that is not an integer, and a record of the wrong width', () => {
    expect(csvRecordToRow(layout, ['p', 'i', '[{', '', '1.5', '{bad'], 32)).toEqual({
      ok: false,
      issues: [
        { path: 'data.responses', message: expect.stringMatching(/^not valid JSON/) },
        { path: 'priority', message: 'must be an integer, not "1.5"' },
        { path: 'gold', message: expect.stringMatching(/^not valid JSON/) },
      ],
    });
    expect(csvRecordToRow(layout, ['p'], 32)).toEqual({
      ok: false,
      issues: [{ message: 'has 1 columns, the header has 6' }],
    });
  });

  it('reads a data column as a JSON object, refusing dangerous keys there too', () => {
    const dataLayout = layoutOf(['data']);
    expect(csvRecordToRow(dataLayout, ['{"prompt":"p"}'], 32)).toEqual({
      ok: true,
      value: { data: { prompt: 'p' } },
    });
    expect(csvRecordToRow(dataLayout, [' '], 32)).toEqual({
      ok: false,
      issues: [{ path: 'data', message: 'required' }],
    });
    const proto = csvRecordToRow(dataLayout, ['{"__proto__":{"x":1}}'], 32);
    expect(proto.ok).toBe(false);
    expect(!proto.ok && proto.issues[0]!.message).toMatch(/__proto__/);
  });
});
