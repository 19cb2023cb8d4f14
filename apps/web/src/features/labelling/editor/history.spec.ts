import { describe, expect, it } from 'vitest';
import { change, createHistory, HISTORY_LIMIT, historyReducer, redo, undo } from './history';

describe('undo history', () => {
  it('undoes and redoes changes in order', () => {
    let h = createHistory({ a: 1 });
    h = change(h, { a: 2 });
    h = change(h, { a: 3 });
    h = undo(h);
    expect(h.present).toEqual({ a: 2 });
    h = undo(h);
    expect(h.present).toEqual({ a: 1 });
    expect(undo(h)).toBe(h);
    h = redo(h);
    h = redo(h);
    expect(h.present).toEqual({ a: 3 });
    expect(redo(h)).toBe(h);
  });

  it('drops the redo branch on a new change', () => {
    let h = change(change(createHistory(0), 1), 2);
    h = change(undo(h), 5);
    expect(h.present).toBe(5);
    expect(h.future).toEqual([]);
    expect(undo(h).present).toBe(1);
  });

  it('coalesces quick changes to the same question into one step', () => {
    let h = createHistory('');
    h = change(h, 'h', { coalesceKey: 'text', now: 1000 });
    h = change(h, 'he', { coalesceKey: 'text', now: 1300 });
    h = change(h, 'hel', { coalesceKey: 'text', now: 1600 });
    expect(undo(h).present).toBe('');
    // a pause starts a new step
    h = change(h, 'hell', { coalesceKey: 'text', now: 5000 });
    expect(undo(h).present).toBe('hel');
    // another question starts a new step too
    h = change(h, 'hello', { coalesceKey: 'other', now: 5100 });
    expect(undo(h).present).toBe('hell');
  });

  it('ignores a change to the same value and caps the past', () => {
    const h = createHistory(1);
    expect(change(h, 1)).toBe(h);
    let long = createHistory(0);
    for (let i = 1; i <= HISTORY_LIMIT + 50; i++) long = change(long, i);
    expect(long.past).toHaveLength(HISTORY_LIMIT);
  });

  it('resets to a new task with an empty history', () => {
    let h = change(createHistory(1), 2);
    h = historyReducer(h, { type: 'reset', value: 9 });
    expect(h).toEqual(createHistory(9));
    expect(historyReducer(h, { type: 'change', value: 10 }).present).toBe(10);
    expect(historyReducer(historyReducer(h, { type: 'change', value: 10 }), { type: 'undo' }).present).toBe(
      9,
    );
  });
});
