import type { Page } from '@enclave/contracts';

/** The shape TanStack Query keeps for an infinite list. */
export interface PagedData<T> {
  pages: Page<T>[];
  pageParams: unknown[];
}

export function nextCursorOf<T>(last: Page<T>): string | undefined {
  return last.nextCursor ?? undefined;
}

export function flattenPages<T>(data: PagedData<T> | undefined): T[] {
  return data ? data.pages.flatMap((p) => p.items) : [];
}

/** Puts the server's answer for one changed row into the cached pages, so the table shows it at once. */
export function replaceItem<T extends { id: string }>(
  data: PagedData<T> | undefined,
  updated: Partial<T> & { id: string },
): PagedData<T> | undefined {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      items: page.items.map((item) => (item.id === updated.id ? { ...item, ...updated } : item)),
    })),
  };
}
