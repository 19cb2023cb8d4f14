import type { ValidationIssue } from '@enclave/contracts';

/** One problem with task data or a result: where (`data.responses[1].id`, `entities[0].end`) and what. */
export type Issue = ValidationIssue;

/** A JSON object: not null, not an array, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * `obj[key]` when `obj` has it as its own property. Names such as `constructor` or `toString` are valid
 * identifiers, and a plain lookup would find them on the prototype.
 */
export function ownValue(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** `"a", "b", "c"`, cut after `max` items so a 200-option list does not flood a message. */
export function quoteList(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).map((i) => JSON.stringify(i));
  return items.length > max ? `${shown.join(', ')} … (${items.length} in all)` : shown.join(', ');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
