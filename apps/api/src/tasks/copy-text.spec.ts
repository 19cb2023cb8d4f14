import { describe, expect, it } from 'vitest';
import { COPY_NULL, copyText, copyTextArray, CopyTextError, jsonbRefusal, textRefusal } from './copy-text';

/** Reads one COPY text value back as PostgreSQL does (the escapes copyText writes, plus \N). */
function decodeCopyValue(value: string): string | null {
  if (value === COPY_NULL) return null;
  return value.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c] ?? c);
}

describe('copyText', () => {
  it('leaves plain text alone, unicode included', () => {
    expect(copyText('hello, wörld — 你好 🎉')).toBe('hello, wörld — 你好 🎉');
  });

  it('escapes backslashes, tabs, newlines and carriage returns', () => {
    expect(copyText('a\\b')).toBe('a\\\\b');
    expect(copyText('a\tb\nc\rd')).toBe('a\\tb\\nc\\rd');
    expect(copyText('\\N')).toBe('\\\\N');
    expect(copyText('\\.')).toBe('\\\\.');
  });

  it('never lets a value break the row: no raw tab or newline survives, and it reads back the same', () => {
    const samples = [
      '',
      'x',
      '\t',
      '\n\n',
      '\\',
      '\\\\t',
      'end\\',
      'a\r\nb',
      '"{\\"k\\":\\"v\\\\n\\"}"',
      '\u2028 line separator',
    ];
    for (const s of samples) {
      const out = copyText(s);
      expect(out).not.toMatch(/[\t\n\r]/);
      expect(decodeCopyValue(out)).toBe(s);
    }
  });

  it('refuses a NUL character, which no PostgreSQL text value can hold', () => {
    expect(() => copyText('a\0b')).toThrow(CopyTextError);
  });

  it('writes quoted array literals, so NULL stays a word', () => {
    expect(copyTextArray(['image', 'NULL'])).toBe('{"image","NULL"}');
    expect(copyTextArray(['a"b', 'c\\d'])).toBe('{"a\\\\"b","c\\\\\\\\d"}');
  });
});

describe('what PostgreSQL would refuse', () => {
  it('finds NUL and lone surrogates in JSON.stringify output, but not their escaped spellings', () => {
    expect(jsonbRefusal(JSON.stringify({ t: 'a\0b' }))).toMatch(/NUL/);
    expect(jsonbRefusal(JSON.stringify({ t: 'x\uD800y' }))).toMatch(/surrogate/);
    expect(jsonbRefusal(JSON.stringify({ t: '\uDC00' }))).toMatch(/surrogate/);
    // the text backslash-u-0-0-0-0 is six ordinary characters
    expect(jsonbRefusal(JSON.stringify({ t: '\\u0000' }))).toBeNull();
    expect(jsonbRefusal(JSON.stringify({ t: '\\\\u0000 and \\ud800' }))).toBeNull();
    expect(jsonbRefusal(JSON.stringify({ t: '🎉 paired \uD83C\uDF89', esc: '\u0001' }))).toBeNull();
  });

  it('finds NUL and lone surrogates in text', () => {
    expect(textRefusal('ok 🎉')).toBeNull();
    expect(textRefusal('a\0')).toMatch(/NUL/);
    expect(textRefusal('a\uD800')).toMatch(/surrogate/);
    expect(textRefusal('\uDFFFa')).toMatch(/surrogate/);
  });
});
