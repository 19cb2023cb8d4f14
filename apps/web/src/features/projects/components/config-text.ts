import { parseLabelConfig, type LabelConfig } from '@enclave/contracts';

/**
 * The configuration editor's checks, as the person types: the JSON first, then the shared schema
 * (`parseLabelConfig`, the API's own), each problem named by its path and placed at its line.
 */

export interface TextSpan {
  start: number;
  end: number;
}

export interface ConfigProblem {
  /** `questions[2].field`, as the API names it; empty for the configuration as a whole. */
  path: string;
  message: string;
  /** Where to put the cursor: the member the path names, or its closest existing ancestor. */
  span: TextSpan;
  /** 1-based. */
  line: number;
}

export type ConfigCheck =
  | { state: 'valid'; config: LabelConfig; value: unknown }
  | { state: 'invalid'; problems: ConfigProblem[]; value: unknown }
  | { state: 'syntax'; problems: [ConfigProblem] };

export function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

function offsetOfLine(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

/**
 * Where `JSON.parse` stopped, from its message: V8 says "at position 42" (newer versions add
 * "(line 3 column 5)"), Firefox says "at line 3 column 5". The message is kept without the position.
 */
export function syntaxProblem(text: string, error: unknown): ConfigProblem {
  const raw = error instanceof Error ? error.message : String(error);
  let offset: number | null = null;
  const lc = /line (\d+) column (\d+)/.exec(raw);
  const pos = /at position (\d+)/.exec(raw);
  if (lc) offset = offsetOfLine(text, Number(lc[1]), Number(lc[2]));
  else if (pos) offset = Number(pos[1]);
  if (offset === null) offset = text.trim() === '' ? 0 : text.length;
  const message = raw
    .replace(/^JSON\.parse: /, '')
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/ at line \d+ column \d+ of the JSON data/, '')
    .replace(/ in JSON at position \d+/, '')
    .replace(/, "[\s\S]*" is not valid JSON$/, '')
    .trim();
  return {
    path: '',
    message:
      text.trim() === ''
        ? 'the configuration is empty: start with { "fields": [...], "questions": [...] }'
        : `not valid JSON: ${message}`,
    span: { start: offset, end: Math.min(text.length, offset + 1) },
    line: lineOf(text, offset),
  };
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The first JSON syntax error of a text, with its offset, in words of our own: browsers' `JSON.parse`
 * messages differ, and some ("Unexpected token '}'") say nowhere where.
 */
export function jsonSyntaxError(text: string): { message: string; offset: number } | null {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, at);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i += 1;
  };
  const string = () => {
    const start = i;
    i += 1;
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '"') {
        i += 1;
        return;
      }
      if (c === '\\') {
        const e = text.charAt(i + 1);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('a \\u escape needs four hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(e) && e !== '') i += 2;
        else fail(`unknown escape "\\${e}" in a string`);
        continue;
      }
      if (text.charCodeAt(i) < 0x20)
        fail('a line break inside a string: close the string with " or write \\n');
      i += 1;
    }
    fail('a string is not closed: add the closing "', start);
  };
  const value = (): void => {
    space();
    const c = text.charAt(i);
    if (c === '{') {
      i += 1;
      space();
      if (text.charAt(i) === '}') {
        i += 1;
        return;
      }
      for (;;) {
        space();
        if (text.charAt(i) === '}') fail('remove the comma before "}"');
        if (text.charAt(i) !== '"') fail('expected a property name in double quotes');
        string();
        space();
        if (text.charAt(i) !== ':') fail('expected ":" after the property name');
        i += 1;
        value();
        space();
        const sep = text.charAt(i);
        if (sep === ',') i += 1;
        else if (sep === '}') {
          i += 1;
          return;
        } else fail(i >= text.length ? 'missing "}" at the end' : 'expected "," or "}" after a value');
      }
    }
    if (c === '[') {
      i += 1;
      space();
      if (text.charAt(i) === ']') {
        i += 1;
        return;
      }
      for (;;) {
        space();
        if (text.charAt(i) === ']') fail('remove the comma before "]"');
        value();
        space();
        const sep = text.charAt(i);
        if (sep === ',') i += 1;
        else if (sep === ']') {
          i += 1;
          return;
        } else fail(i >= text.length ? 'missing "]" at the end' : 'expected "," or "]" after a value');
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) fail('not a valid number');
      i += m![0].length;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    if (i >= text.length) fail('the text ends where a value should be');
    fail(c === "'" ? 'use double quotes (") for strings' : `expected a value, found "${c}"`);
  };
  try {
    value();
    space();
    if (i < text.length) fail('unexpected text after the end of the configuration');
    return null;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { message: e.message, offset: e.offset };
    throw e;
  }
}

/**
 * The span of every member and element of a JSON text (which must parse), keyed by the path as
 * `formatZodPath` writes it: `questions[2].field`. An object member's span starts at its key, so an
 * "unknown key" error selects the key.
 */
export function jsonPathSpans(text: string): Map<string, TextSpan> {
  const spans = new Map<string, TextSpan>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text.charAt(i))) i += 1;
  };
  const skipString = () => {
    i += 1;
    while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
    i += 1;
  };
  const value = (path: string, memberStart: number | null) => {
    skipSpace();
    const start = i;
    const c = text.charAt(i);
    if (c === '{') {
      i += 1;
      skipSpace();
      if (text.charAt(i) === '}') i += 1;
      else {
        for (;;) {
          skipSpace();
          const keyStart = i;
          skipString();
          const key = JSON.parse(text.slice(keyStart, i)) as string;
          skipSpace();
          i += 1; // the colon
          value(path === '' ? key : `${path}.${key}`, keyStart);
          skipSpace();
          const sep = text.charAt(i);
          i += 1;
          if (sep !== ',') break;
        }
      }
    } else if (c === '[') {
      i += 1;
      skipSpace();
      if (text.charAt(i) === ']') i += 1;
      else {
        for (let n = 0; ; n++) {
          value(`${path}[${n}]`, null);
          skipSpace();
          const sep = text.charAt(i);
          i += 1;
          if (sep !== ',') break;
        }
      }
    } else if (c === '"') skipString();
    else while (i < text.length && !/[\s,\]}]/.test(text.charAt(i))) i += 1;
    spans.set(path, { start: memberStart ?? start, end: i });
  };
  value('', null);
  return spans;
}

/** `questions[2].field` → `questions[2]` → `questions` → `` */
export function parentPath(path: string): string {
  const m = /^(.*?)(?:\.[^.[\]]+|\[\d+\])$/.exec(path);
  return m ? (m[1] ?? '') : '';
}

/** The span of a path, or of its closest ancestor that the text has (a missing key: its object). */
export function locatePath(spans: Map<string, TextSpan>, path: string): TextSpan {
  let p = path;
  for (;;) {
    const span = spans.get(p);
    if (span) return span;
    if (p === '') return { start: 0, end: 0 };
    p = parentPath(p);
  }
}

export function checkConfigText(text: string): ConfigCheck {
  if (text.trim() === '') return { state: 'syntax', problems: [syntaxProblem(text, new Error(''))] };
  const syntax = jsonSyntaxError(text);
  if (syntax) {
    const end = Math.min(text.length, syntax.offset + 1);
    const problem = {
      path: '',
      message: `not valid JSON: ${syntax.message}`,
      span: { start: syntax.offset, end },
      line: lineOf(text, syntax.offset),
    };
    return { state: 'syntax', problems: [problem] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { state: 'syntax', problems: [syntaxProblem(text, e)] };
  }
  const parsed = parseLabelConfig(value);
  if (parsed.ok) return { state: 'valid', config: parsed.config, value };
  const spans = jsonPathSpans(text);
  const problems = parsed.issues.map((issue) => {
    const span = locatePath(spans, issue.path);
    return { path: issue.path, message: issue.message, span, line: lineOf(text, span.start) };
  });
  return { state: 'invalid', problems, value };
}

/** One line, as the API's 400 names it: `questions[2].field: no field named "nope"`. */
export function formatProblem(p: Pick<ConfigProblem, 'path' | 'message'>): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

export function configToText(config: unknown): string {
  return JSON.stringify(config, null, 2);
}

/** Whether two configurations mean the same (the API compares the parsed forms the same way). */
export function sameConfig(a: LabelConfig, b: LabelConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Where someone starting from scratch begins: one field, one question of each common kind. */
export const STARTER_CONFIG = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [
    {
      name: 'sentiment',
      type: 'single_choice',
      description: 'What is the tone of the text?',
      options: ['positive', 'negative', 'neutral'],
    },
    { name: 'notes', type: 'text', required: false, maxLength: 2000 },
  ],
};
