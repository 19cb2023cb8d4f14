import { describe, expect, it } from 'vitest';
import { flattenPages, nextCursorOf, replaceItem } from './pages';

const data = {
  pages: [
    {
      items: [
        { id: 'a', n: 1 },
        { id: 'b', n: 2 },
      ],
      nextCursor: 'c1',
    },
    { items: [{ id: 'c', n: 3 }], nextCursor: null },
  ],
  pageParams: [undefined, 'c1'],
};

describe('paged lists', () => {
  it('flattens pages in order and asks for more only while there is a cursor', () => {
    expect(flattenPages(data).map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(flattenPages(undefined)).toEqual([]);
    expect(nextCursorOf(data.pages[0]!)).toBe('c1');
    expect(nextCursorOf(data.pages[1]!)).toBeUndefined();
  });

  it('replaces one row in whichever page holds it, leaving the rest as they were', () => {
    const next = replaceItem(data, { id: 'c', n: 30 });
    expect(flattenPages(next).map((x) => x.n)).toEqual([1, 2, 30]);
    expect(next!.pages[0]!.items[0]).toBe(data.pages[0]!.items[0]);
    expect(data.pages[1]!.items[0]!.n).toBe(3);
    expect(replaceItem(undefined, { id: 'x' })).toBeUndefined();
  });
});
