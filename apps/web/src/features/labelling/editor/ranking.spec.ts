import { describe, expect, it } from 'vitest';
import { displayOrder, moveItem, moveSelected } from './ranking';

describe('ranking', () => {
  it('moves an item to a place, clamped to the list', () => {
    expect(moveItem(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveItem(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 1, 99)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
  });

  it('moves the selected item with Alt+arrows and follows it', () => {
    expect(moveSelected(['a', 'b', 'c'], 1, -1)).toEqual({ order: ['b', 'a', 'c'], selected: 0 });
    expect(moveSelected(['a', 'b', 'c'], 1, 1)).toEqual({ order: ['a', 'c', 'b'], selected: 2 });
    expect(moveSelected(['a', 'b', 'c'], 0, -1)).toEqual({ order: ['a', 'b', 'c'], selected: 0 });
    expect(moveSelected(['a', 'b', 'c'], 2, 1)).toEqual({ order: ['a', 'b', 'c'], selected: 2 });
  });

  it('shows a saved ranking, completing a partial or stale one with the task order', () => {
    expect(displayOrder(['a', 'b', 'c'], null)).toEqual(['a', 'b', 'c']);
    expect(displayOrder(['a', 'b', 'c'], ['c', 'a', 'b'])).toEqual(['c', 'a', 'b']);
    expect(displayOrder(['a', 'b', 'c'], ['c'])).toEqual(['c', 'a', 'b']);
    expect(displayOrder(['a', 'b', 'c'], ['x', 'c', 'c', 7])).toEqual(['c', 'a', 'b']);
  });
});
