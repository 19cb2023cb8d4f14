import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, refuseDangerousKeys } from './json-body';

describe('jsonDepthExceeds', () => {
  it('counts nesting of objects and arrays', () => {
    expect(jsonDepthExceeds('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(jsonDepthExceeds('['.repeat(10000) + ']'.repeat(10000), 32)).toBe(true);
  });
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds('{"a":"[[[[[[\\"[[[["}', 2)).toBe(false);
  });
});

describe('refuseDangerousKeys', () => {
  it('refuses __proto__ and constructor at any depth', () => {
    expect(() => JSON.parse('{"a":{"__proto__":{"x":1}}}', refuseDangerousKeys)).toThrow(/__proto__/);
    expect(() => JSON.parse('{"constructor":{"prototype":{}}}', refuseDangerousKeys)).toThrow();
    expect(JSON.parse('{"a":{"b":1}}', refuseDangerousKeys)).toEqual({ a: { b: 1 } });
  });
});
