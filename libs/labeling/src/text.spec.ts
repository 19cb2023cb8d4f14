import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, codePointToUtf16Index, sliceCodePoints, utf16IndexToCodePoint } from './text';

const FAMILY = '👩‍👩‍👧'; // woman ZWJ woman ZWJ girl: 5 code points, 8 UTF-16 units
const E_ACUTE_DECOMPOSED = 'e\u0301'; // 2 code points that render as one é
const GOTHIC_AHSA = '𐌰'; // U+10330, astral: 1 code point, 2 units

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('é')).toBe(1); // precomposed U+00E9
    expect(codePointLength(E_ACUTE_DECOMPOSED)).toBe(2);
    expect(codePointLength('😀')).toBe(1);
    expect('😀'.length).toBe(2);
    expect(codePointLength(GOTHIC_AHSA)).toBe(1);
    expect(codePointLength('東京大学')).toBe(4);
  });

  it('counts each part of a ZWJ emoji sequence', () => {
    expect(FAMILY.length).toBe(8);
    expect(codePointLength(FAMILY)).toBe(5);
    expect(codePointLength(`a${FAMILY}b`)).toBe(7);
    expect(codePointLength('👍🏽')).toBe(2); // thumbs up + skin tone modifier
    expect(codePointLength('🇫🇷')).toBe(2); // two regional indicators
    expect(codePointLength('✈️')).toBe(2); // U+2708 + variation selector, both in the BMP
  });

  it('counts a lone surrogate as one code point', () => {
    expect(codePointLength('\ud83d')).toBe(1);
    expect(codePointLength('a\ude00b')).toBe(3);
    expect(codePointLength('\ude00\ud83d')).toBe(2); // low then high: not a pair
    expect(codePointLength('\ud83d\ud83d\ude00')).toBe(2); // a lone high, then a pair
  });

  it('equals [...s].length for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => codePointLength(s) === [...s].length),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        (s) => codePointLength(s) === [...s].length,
      ),
    );
  });
});

describe('sliceCodePoints', () => {
  it('slices by code points', () => {
    const s = `x${FAMILY}y😀z`;
    expect(sliceCodePoints(s, 0, 1)).toBe('x');
    expect(sliceCodePoints(s, 1, 6)).toBe(FAMILY);
    expect(sliceCodePoints(s, 6, 7)).toBe('y');
    expect(sliceCodePoints(s, 7, 8)).toBe('😀');
    expect(sliceCodePoints(s, 8, 9)).toBe('z');
    expect(sliceCodePoints(s, 7)).toBe('😀z');
  });

  it('can take a combining mark apart from its base, never half a surrogate pair', () => {
    const s = `caf${E_ACUTE_DECOMPOSED}!`;
    expect(sliceCodePoints(s, 3, 4)).toBe('e');
    expect(sliceCodePoints(s, 4, 5)).toBe('\u0301');
    expect(sliceCodePoints(s, 3, 5)).toBe(E_ACUTE_DECOMPOSED);
    expect(sliceCodePoints('😀😀', 1, 2)).toBe('😀');
  });

  it('slices CJK and astral text', () => {
    expect(sliceCodePoints('東京大学の山田太郎さん', 5, 9)).toBe('山田太郎');
    expect(sliceCodePoints(`${GOTHIC_AHSA}${GOTHIC_AHSA}a`, 1, 3)).toBe(`${GOTHIC_AHSA}a`);
  });

  it('clamps offsets and gives an empty string for an empty or reversed range', () => {
    expect(sliceCodePoints('abc', -5, 2)).toBe('ab');
    expect(sliceCodePoints('abc', 1, 99)).toBe('bc');
    expect(sliceCodePoints('abc', 2, 2)).toBe('');
    expect(sliceCodePoints('abc', 2, 1)).toBe('');
    expect(sliceCodePoints('', 0, 1)).toBe('');
  });

  it('agrees with slicing the array of code points (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.nat(90), fc.nat(90), (s, a, b) => {
        return sliceCodePoints(s, a, b) === [...s].slice(a, b).join('');
      }),
      { numRuns: 500 },
    );
  });

  it('pieces cut at every offset join back into the string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const n = codePointLength(s);
        const pieces = Array.from({ length: n }, (_, i) => sliceCodePoints(s, i, i + 1));
        return pieces.join('') === s && pieces.every((p) => codePointLength(p) === 1);
      }),
    );
  });
});

describe('UTF-16 index conversion', () => {
  it('maps code point offsets to UTF-16 indexes and back', () => {
    const s = `a${FAMILY}b`;
    expect(codePointToUtf16Index(s, 0)).toBe(0);
    expect(codePointToUtf16Index(s, 1)).toBe(1);
    expect(codePointToUtf16Index(s, 2)).toBe(3); // after the first woman (2 units)
    expect(codePointToUtf16Index(s, 6)).toBe(9);
    expect(codePointToUtf16Index(s, 7)).toBe(10);
    expect(codePointToUtf16Index(s, 99)).toBe(10);
    expect(codePointToUtf16Index(s, -1)).toBe(0);
    expect(utf16IndexToCodePoint(s, 3)).toBe(2);
    expect(utf16IndexToCodePoint(s, 10)).toBe(7);
    expect(utf16IndexToCodePoint(s, 50)).toBe(7);
    expect(utf16IndexToCodePoint(s, -2)).toBe(0);
  });

  it('rounds an index inside a surrogate pair down to the pair', () => {
    expect(utf16IndexToCodePoint('😀x', 1)).toBe(0);
    expect(utf16IndexToCodePoint('😀x', 2)).toBe(1);
  });

  it('round-trips every code point offset (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const n = codePointLength(s);
        for (let cp = 0; cp <= n; cp++) {
          if (utf16IndexToCodePoint(s, codePointToUtf16Index(s, cp)) !== cp) return false;
        }
        return true;
      }),
    );
  });
});
