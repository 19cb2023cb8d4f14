import { describe, expect, it } from 'vitest';
import { IMPORT_MEDIA_TYPES, importFormatOf } from './import-format';
import { ImportErrors } from './import-errors';

describe('ImportErrors', () => {
  it('keeps the bad lines in order with their problems, paths left out where there is none', () => {
    const e = new ImportErrors();
    e.add(3, [{ path: 'data.text', message: 'required' }, { message: 'whole row' }]);
    e.add(9, [{ path: '', message: 'empty path' }]);
    expect(e.badLines).toBe(2);
    expect(e.details).toEqual([
      { line: 3, path: 'data.text', message: 'required' },
      { line: 3, message: 'whole row' },
      { line: 9, message: 'empty path' },
    ]);
  });

  it('is full at the cap and records no more lines; caps the problems of one line', () => {
    const e = new ImportErrors({ maxLines: 3, maxIssuesPerLine: 2 });
    e.add(1, [{ message: 'a' }, { message: 'b' }, { message: 'c' }, { message: 'd' }]);
    e.add(2, [{ message: 'x' }]);
    expect(e.full).toBe(false);
    e.add(5, [{ message: 'y' }]);
    expect(e.full).toBe(true);
    e.add(6, [{ message: 'z' }]);
    expect(e.badLines).toBe(3);
    expect(e.details.map((d) => [d.line, d.message])).toEqual([
      [1, 'a'],
      [1, 'b'],
      [1, '… and 2 more problems on this line'],
      [2, 'x'],
      [5, 'y'],
    ]);
  });

  it('merges problems found in SQL in line order, capped, counting every bad line', () => {
    const e = new ImportErrors({ maxLines: 3, maxIssuesPerLine: 10 });
    e.add(4, [{ path: 'data.text', message: 'required' }]);
    e.merge(
      [
        { line: 2, path: 'externalId', message: 'dup' },
        { line: 2, path: 'data.image', message: 'no asset' },
        { line: 7, path: 'externalId', message: 'dup' },
        { line: 9, path: 'externalId', message: 'dup' },
      ],
      40,
    );
    expect(e.badLines).toBe(41);
    expect(e.details.map((d) => [d.line, d.path])).toEqual([
      [2, 'externalId'],
      [2, 'data.image'],
      [4, 'data.text'],
      [7, 'externalId'],
    ]);
  });
});

describe('importFormatOf', () => {
  it('maps the accepted media types, parameters and case aside', () => {
    expect(importFormatOf('application/json')).toBe('json');
    expect(importFormatOf('Application/X-NDJSON; charset=utf-8')).toBe('ndjson');
    expect(importFormatOf('application/jsonl;charset="UTF8"')).toBe('ndjson');
    expect(importFormatOf('text/csv; header=present')).toBe('csv');
    expect(Object.values(IMPORT_MEDIA_TYPES).sort()).toEqual(['csv', 'json', 'ndjson', 'ndjson']);
  });

  it('answers 415 for anything else, naming what it takes', () => {
    for (const type of [
      undefined,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      expect(() => importFormatOf(type)).toThrow(
        /send the tasks as application\/json, application\/x-ndjson, application\/jsonl, text\/csv/,
      );
    }
    expect(() => importFormatOf('text/csv; charset=windows-1252')).toThrow(/UTF-8, not windows-1252/);
    try {
      importFormatOf('text/plain');
    } catch (err) {
      expect((err as { status: number }).status).toBe(415);
    }
  });
});
