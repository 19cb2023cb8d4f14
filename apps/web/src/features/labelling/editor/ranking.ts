/** The pure half of the ranking widget: an order of response ids, best first. */

/** The list with the item at `from` moved to `to`, both clamped to the list. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const target = Math.min(Math.max(to, 0), out.length - 1);
  const [item] = out.splice(from, 1);
  out.splice(target, 0, item as T);
  return out;
}

/**
 * The order to show: the saved ranking when it is a ranking of exactly these ids, else the ids in
 * the task's order, followed by anything the saved one missed (a draft saved half-way).
 */
export function displayOrder(ids: readonly string[], value: unknown): string[] {
  if (!Array.isArray(value)) return [...ids];
  const known = new Set(ids);
  const ranked = value.filter((v): v is string => typeof v === 'string' && known.has(v));
  const unique = [...new Set(ranked)];
  return [...unique, ...ids.filter((id) => !unique.includes(id))];
}

/** Alt+Up and Alt+Down: the order after moving the selected item, and where the selection went. */
export function moveSelected(
  order: readonly string[],
  selected: number,
  delta: -1 | 1,
): { order: string[]; selected: number } {
  const to = selected + delta;
  if (selected < 0 || to < 0 || to >= order.length) return { order: [...order], selected };
  return { order: moveItem(order, selected, to), selected: to };
}
