import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/client';
import { describeImportFailure, importProblemRows } from './import-errors';

describe('import problem table', () => {
  it('orders problems by line, keeps each line together, and shows its number once', () => {
    const rows = importProblemRows([
      { line: 7, path: 'externalId', message: 'externalId "rev-9" is also on line 3' },
      { line: 2, path: 'data.text', message: 'required' },
      { line: 2, path: 'colour', message: 'unknown key' },
      { line: 9, message: 'not valid JSON' },
    ]);
    expect(rows).toEqual([
      { line: 2, path: 'data.text', message: 'required', firstOfLine: true },
      { line: 2, path: 'colour', message: 'unknown key', firstOfLine: false },
      { line: 7, path: 'externalId', message: 'externalId "rev-9" is also on line 3', firstOfLine: true },
      { line: 9, path: null, message: 'not valid JSON', firstOfLine: true },
    ]);
  });

  it('puts problems of the whole file first', () => {
    const rows = importProblemRows([{ line: 4, message: 'x' }, { message: 'the body is not a JSON array' }]);
    expect(rows.map((r) => r.line)).toEqual([null, 4]);
  });
});

describe('describeImportFailure', () => {
  it('keeps the server summary and says what to do with bad lines', () => {
    const f = describeImportFailure(
      new ApiError(400, 'VALIDATION_FAILED', '1 bad row; nothing was imported', [
        { line: 3, path: 'data.text', message: 'required' },
      ]),
    );
    expect(f.title).toBe('Nothing was imported');
    expect(f.message).toBe('1 bad row; nothing was imported.');
    expect(f.hint).toMatch(/Fix the lines below/);
    expect(f.rows).toHaveLength(1);
  });

  it('explains a file too large and a wrong type', () => {
    const big = describeImportFailure(
      new ApiError(413, 'PAYLOAD_TOO_LARGE', 'an import takes at most 10 tasks'),
    );
    expect(big.title).toBe('The file is too large');
    expect(big.hint).toMatch(/Split it/);
    const type = describeImportFailure(
      new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the tasks as UTF-8, not latin1'),
    );
    expect(type.title).toBe('Wrong file type');
    expect(type.hint).toMatch(/\.ndjson/);
  });

  it('says an archived project takes no tasks, and reports other failures as they are', () => {
    expect(
      describeImportFailure(new ApiError(409, 'PROJECT_ARCHIVED', 'the project is archived')).hint,
    ).toMatch(/archived/);
    expect(describeImportFailure(new ApiError(0, 'NETWORK_ERROR', 'cut off')).title).toBe('Import failed');
    expect(describeImportFailure(new Error('boom')).message).toBe('Something went wrong: boom.');
  });
});
