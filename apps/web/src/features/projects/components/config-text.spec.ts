import { describe, expect, it } from 'vitest';
import {
  checkConfigText,
  configToText,
  formatProblem,
  jsonPathSpans,
  jsonSyntaxError,
  locatePath,
  parentPath,
  STARTER_CONFIG,
} from './config-text';

const BROKEN = `{
  "fields": [
    { "name": "text", "type": "text" }
  ],
  "questions": [
    { "name": "a", "type": "single_choice", "options": ["x", "y"] },
    { "name": "b", "type": "rating", "min": 1, "max": 5 },
    { "name": "c", "type": "spans", "field": "nope", "labels": ["PER"] }
  ]
}`;

describe('checkConfigText', () => {
  it('accepts a valid configuration with the defaults filled in', () => {
    const r = checkConfigText(configToText(STARTER_CONFIG));
    expect(r.state).toBe('valid');
    if (r.state !== 'valid') return;
    expect(r.config.questions[0]).toMatchObject({ name: 'sentiment', required: true });
    expect(r.value).toEqual(STARTER_CONFIG);
  });

  it('names each problem by its path, as the API does, and finds its line', () => {
    const r = checkConfigText(BROKEN);
    expect(r.state).toBe('invalid');
    if (r.state !== 'invalid') return;
    expect(r.problems.map(formatProblem)).toEqual(['questions[2].field: no field named "nope"']);
    expect(r.problems[0]!.line).toBe(8);
    expect(BROKEN.slice(r.problems[0]!.span.start, r.problems[0]!.span.end)).toBe('"field": "nope"');
  });

  it('puts an unknown key on the key itself and a missing key on its object', () => {
    const text = `{
  "fields": [{ "name": "text", "type": "text", "colour": "red" }],
  "questions": [
    { "name": "q", "type": "single_choice" }
  ]
}`;
    const r = checkConfigText(text);
    expect(r.state).toBe('invalid');
    if (r.state !== 'invalid') return;
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p]));
    expect(byPath['fields[0].colour']!.line).toBe(2);
    expect(text.slice(byPath['fields[0].colour']!.span.start, byPath['fields[0].colour']!.span.end)).toBe(
      '"colour": "red"',
    );
    // `options` is missing: the problem points at the question that lacks it.
    expect(byPath['questions[0].options']!.line).toBe(4);
    expect(text.slice(byPath['questions[0].options']!.span.start).startsWith('{ "name": "q"')).toBe(true);
  });

  it('reports JSON syntax errors with a line, whatever the browser says', () => {
    const r = checkConfigText('{\n  "fields": [],\n  "questions": [}\n}');
    expect(r.state).toBe('syntax');
    if (r.state !== 'syntax') return;
    expect(r.problems[0].line).toBe(3);
    expect(r.problems[0].message).toMatch(/^not valid JSON: /);
    expect(checkConfigText('   ').state).toBe('syntax');
  });

  it('says what is wrong in plain words', () => {
    expect(jsonSyntaxError('{"a": 1,}')).toEqual({ message: 'remove the comma before "}"', offset: 8 });
    expect(jsonSyntaxError('{"a": tru}')).toEqual({ message: 'expected a value, found "t"', offset: 6 });
    expect(jsonSyntaxError("{'a': 1}")?.message).toBe('expected a property name in double quotes');
    expect(jsonSyntaxError('{"a": 1')?.message).toBe('missing "}" at the end');
    expect(jsonSyntaxError('{"a": "x\ny"}')?.message).toMatch(/line break inside a string/);
    expect(jsonSyntaxError('{"a": "x"} 1')?.message).toBe(
      'unexpected text after the end of the configuration',
    );
    expect(jsonSyntaxError('[1 2]')).toEqual({ message: 'expected "," or "]" after a value', offset: 3 });
    expect(jsonSyntaxError('{"a": "\\u00e9\\n", "b": [-1.5e3, true, null, {}]}')).toBeNull();
  });
});

describe('JSON path spans', () => {
  it('keys members and elements the way formatZodPath writes paths', () => {
    const text = '{"a": [10, {"b": "x"}], "c": {"d.e": null}}';
    const spans = jsonPathSpans(text);
    const at = (p: string) => text.slice(spans.get(p)!.start, spans.get(p)!.end);
    expect(at('')).toBe(text);
    expect(at('a')).toBe('"a": [10, {"b": "x"}]');
    expect(at('a[0]')).toBe('10');
    expect(at('a[1].b')).toBe('"b": "x"');
    expect(at('c.d.e')).toBe('"d.e": null');
  });

  it('falls back to the nearest ancestor', () => {
    expect(parentPath('questions[2].field')).toBe('questions[2]');
    expect(parentPath('questions[2]')).toBe('questions');
    expect(parentPath('questions')).toBe('');
    const spans = jsonPathSpans('{"questions": [{"name": "x"}]}');
    expect(locatePath(spans, 'questions[0].options')).toEqual(spans.get('questions[0]'));
    expect(locatePath(spans, 'fields[3]')).toEqual(spans.get(''));
  });
});
