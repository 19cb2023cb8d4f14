import type { LabelQuestion } from '@enclave/contracts';
import { describe, expect, it } from 'vitest';
import { digitIndex, pageCommand, questionCommand, ratingForKey, ratingKeyLabel } from './shortcuts';

const key = (
  k: string,
  mods: Partial<{ ctrl: boolean; meta: boolean; alt: boolean; shift: boolean; code: string }> = {},
) => ({
  key: k,
  code: mods.code ?? '',
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  altKey: mods.alt ?? false,
  shiftKey: mods.shift ?? false,
});

const q = (question: Record<string, unknown>) => ({ required: true, ...question }) as LabelQuestion;

describe('page shortcuts', () => {
  it('submits, undoes and redoes with Ctrl or Cmd, even while typing', () => {
    expect(pageCommand(key('Enter', { ctrl: true }), true)).toBe('submit');
    expect(pageCommand(key('Enter', { meta: true }), false)).toBe('submit');
    expect(pageCommand(key('z', { ctrl: true }), true)).toBe('undo');
    expect(pageCommand(key('Z', { ctrl: true, shift: true }), false)).toBe('redo');
    expect(pageCommand(key('y', { ctrl: true }), false)).toBe('redo');
    expect(pageCommand(key('Enter'), false)).toBeNull();
  });

  it('opens the sheet and moves between questions only outside text controls', () => {
    expect(pageCommand(key('?', { shift: true }), false)).toBe('help');
    expect(pageCommand(key('?', { shift: true }), true)).toBeNull();
    expect(pageCommand(key(']'), false)).toBe('next-question');
    expect(pageCommand(key('['), false)).toBe('previous-question');
    expect(pageCommand(key('['), true)).toBeNull();
  });
});

describe('question shortcuts', () => {
  it('maps 1–9 to options, from the top row, the keypad or another layout', () => {
    expect(digitIndex(key('1'))).toBe(0);
    expect(digitIndex(key('9'))).toBe(8);
    expect(digitIndex(key('0'))).toBeNull();
    expect(digitIndex(key('&', { code: 'Digit1' }))).toBe(0);
    expect(digitIndex(key('End', { code: 'Numpad1' }))).toBe(0);
    expect(digitIndex(key('1', { ctrl: true }))).toBeNull();
  });

  it('toggles options by number, within the options there are', () => {
    const choice = q({ name: 's', type: 'single_choice', options: ['pos', 'neg', 'neutral'] });
    expect(questionCommand(choice, key('2'))).toEqual({ kind: 'option', index: 1 });
    expect(questionCommand(choice, key('4'))).toBeNull();
    const multi = q({ name: 'm', type: 'multi_choice', options: ['a', 'b'] });
    expect(questionCommand(multi, key('1'))).toEqual({ kind: 'option', index: 0 });
  });

  it('rates with the digit itself on single-digit scales, by step otherwise', () => {
    expect(ratingForKey({ min: 1, max: 7 }, key('7'))).toBe(7);
    expect(ratingForKey({ min: 1, max: 7 }, key('8'))).toBeNull();
    expect(ratingForKey({ min: 0, max: 5 }, key('0'))).toBe(0);
    expect(ratingForKey({ min: 1, max: 5 }, key('0'))).toBeNull();
    expect(ratingForKey({ min: -2, max: 2 }, key('1'))).toBe(-2);
    expect(ratingForKey({ min: -2, max: 2 }, key('5'))).toBe(2);
    expect(ratingForKey({ min: 1, max: 20 }, key('9'))).toBe(9);
    expect(ratingKeyLabel({ min: 1, max: 7 }, 3)).toBe('3');
    expect(ratingKeyLabel({ min: -2, max: 2 }, -2)).toBe('1');
    expect(ratingKeyLabel({ min: 1, max: 20 }, 15)).toBeNull();
    const rating = q({ name: 'r', type: 'rating', min: 1, max: 5 });
    expect(questionCommand(rating, key('3'))).toEqual({ kind: 'rating', value: 3 });
  });

  it('picks A, B and a tie only where ties are allowed', () => {
    const tie = q({ name: 'p', type: 'pairwise', field: 'r', allowTie: true });
    const noTie = q({ name: 'p', type: 'pairwise', field: 'r', allowTie: false });
    expect(questionCommand(tie, key('a'))).toEqual({ kind: 'pairwise', choice: 'a' });
    expect(questionCommand(tie, key('B', { shift: false }))).toEqual({ kind: 'pairwise', choice: 'b' });
    expect(questionCommand(tie, key('t'))).toEqual({ kind: 'pairwise', choice: 'tie' });
    expect(questionCommand(noTie, key('t'))).toBeNull();
    expect(questionCommand(tie, key('a', { ctrl: true }))).toBeNull();
  });

  it('maps numbers to labels for spans and boxes, and nothing for free text or rankings', () => {
    const spans = q({ name: 'e', type: 'spans', field: 'text', labels: ['PER', 'ORG'] });
    expect(questionCommand(spans, key('2'))).toEqual({ kind: 'label', index: 1 });
    expect(questionCommand(spans, key('3'))).toBeNull();
    expect(questionCommand(q({ name: 't', type: 'text', minLength: 0, maxLength: 10 }), key('1'))).toBeNull();
    expect(questionCommand(q({ name: 'o', type: 'ranking', field: 'r' }), key('1'))).toBeNull();
  });
});
