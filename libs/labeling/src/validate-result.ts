import type {
  BboxesQuestion,
  LabelConfig,
  LabelQuestion,
  MultiChoiceQuestion,
  PairwiseQuestion,
  RankingQuestion,
  RatingQuestion,
  SingleChoiceQuestion,
  SpansQuestion,
  TaskData,
  TextQuestion,
} from '@enclave/contracts';
import { describeType, isPlainObject, ownValue, plural, quoteList, type Issue } from './issues';
import { codePointLength } from './text';

export interface ValidateResultOptions {
  /**
   * A draft: every answer given must have the right shape, but required answers may be missing, a text
   * may be shorter than its minimum, a multi_choice may be empty and a ranking may be incomplete.
   */
  partial?: boolean;
}

/** Rounding slack for box edges: `x + width` computed in floating point may land a hair past 1. */
export const BOX_EPSILON = 1e-9;

const SPAN_KEYS = ['start', 'end', 'label'];
const BOX_KEYS = ['x', 'y', 'width', 'height', 'label'];

interface Ctx {
  data: TaskData;
  partial: boolean;
  issues: Issue[];
}

/**
 * Checks an annotation's result against the config and the task's data (span offsets against the text,
 * ranking ids against the responses). Issue paths start with the question name: `entities[0].end`; an
 * issue with the whole result has the empty path. `data` is expected to have passed `validateTaskData`;
 * where it has not, the questions that read it report that they cannot be checked.
 *
 * A required question is answered by any value of its shape: an empty span or box list is an answer
 * ("nothing to mark"), an empty multi_choice is not.
 */
export function validateResult(
  config: LabelConfig,
  data: TaskData,
  result: unknown,
  opts: ValidateResultOptions = {},
): Issue[] {
  if (!isPlainObject(result))
    return [{ path: '', message: `the result must be an object, not ${describeType(result)}` }];
  const ctx: Ctx = { data, partial: opts.partial === true, issues: [] };
  const byName = new Map(config.questions.map((q) => [q.name, q]));
  for (const key of Object.keys(result)) {
    if (!byName.has(key)) ctx.issues.push({ path: key, message: `no question named ${JSON.stringify(key)}` });
  }
  for (const q of config.questions) {
    const value = ownValue(result, q.name);
    if (value === undefined || value === null) {
      if (q.required && !ctx.partial) ctx.issues.push({ path: q.name, message: 'required' });
      continue;
    }
    checkAnswer(q, value, ctx);
  }
  return ctx.issues;
}

function checkAnswer(q: LabelQuestion, value: unknown, ctx: Ctx): void {
  switch (q.type) {
    case 'single_choice':
      return checkSingleChoice(q, value, ctx);
    case 'multi_choice':
      return checkMultiChoice(q, value, ctx);
    case 'spans':
      return checkSpans(q, value, ctx);
    case 'bboxes':
      return checkBoxes(q, value, ctx);
    case 'rating':
      return checkRating(q, value, ctx);
    case 'pairwise':
      return checkPairwise(q, value, ctx);
    case 'ranking':
      return checkRanking(q, value, ctx);
    case 'text':
      return checkText(q, value, ctx);
  }
}

function notAnOption(value: unknown, options: readonly string[]): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : describeType(value);
  return `${shown} is not one of the options (${quoteList(options)})`;
}

function checkSingleChoice(q: SingleChoiceQuestion, value: unknown, ctx: Ctx): void {
  if (typeof value !== 'string' || !q.options.includes(value))
    ctx.issues.push({ path: q.name, message: notAnOption(value, q.options) });
}

function checkMultiChoice(q: MultiChoiceQuestion, value: unknown, ctx: Ctx): void {
  if (!Array.isArray(value)) {
    ctx.issues.push({ path: q.name, message: `must be a list of options, not ${describeType(value)}` });
    return;
  }
  if (value.length === 0 && q.required && !ctx.partial)
    ctx.issues.push({ path: q.name, message: 'choose at least one option' });
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    const path = `${q.name}[${i}]`;
    if (typeof item !== 'string' || !q.options.includes(item))
      ctx.issues.push({ path, message: notAnOption(item, q.options) });
    else if (seen.has(item)) ctx.issues.push({ path, message: `${JSON.stringify(item)} is chosen twice` });
    else seen.add(item);
  });
}

/** The elements of a list answer that are objects with exactly `keys`; the others are reported. */
function objectItems(value: unknown, q: LabelQuestion, keys: readonly string[], what: string, ctx: Ctx) {
  if (!Array.isArray(value)) {
    ctx.issues.push({ path: q.name, message: `must be a list of ${what}, not ${describeType(value)}` });
    return [];
  }
  const items: { item: Record<string, unknown>; path: string; index: number }[] = [];
  value.forEach((item: unknown, index) => {
    const path = `${q.name}[${index}]`;
    if (!isPlainObject(item)) {
      ctx.issues.push({
        path,
        message: `must be an object with ${keys.join(', ')}, not ${describeType(item)}`,
      });
      return;
    }
    let complete = true;
    for (const key of keys) {
      if (!Object.hasOwn(item, key)) {
        ctx.issues.push({ path: `${path}.${key}`, message: 'required' });
        complete = false;
      }
    }
    for (const key of Object.keys(item))
      if (!keys.includes(key)) ctx.issues.push({ path: `${path}.${key}`, message: 'unknown key' });
    if (complete) items.push({ item, path, index });
  });
  return items;
}

function checkLabel(label: unknown, labels: readonly string[], path: string, ctx: Ctx): boolean {
  if (typeof label === 'string' && labels.includes(label)) return true;
  const shown = typeof label === 'string' ? JSON.stringify(label) : describeType(label);
  ctx.issues.push({
    path: `${path}.label`,
    message: `${shown} is not one of the labels (${quoteList(labels)})`,
  });
  return false;
}

function checkSpans(q: SpansQuestion, value: unknown, ctx: Ctx): void {
  const text = ownValue(ctx.data, q.field);
  const items = objectItems(value, q, SPAN_KEYS, 'spans ({ start, end, label })', ctx);
  if (typeof text !== 'string') {
    if (Array.isArray(value))
      ctx.issues.push({ path: q.name, message: `cannot check spans: the task's "${q.field}" is not text` });
    return;
  }
  const length = codePointLength(text);
  const firstIndex = new Map<string, number>();
  for (const { item, path, index } of items) {
    const { start, end, label } = item;
    let ok = checkLabel(label, q.labels, path, ctx);
    if (!Number.isInteger(start)) {
      ctx.issues.push({ path: `${path}.start`, message: `must be an integer, not ${describeNumber(start)}` });
      ok = false;
    } else if ((start as number) < 0) {
      ctx.issues.push({ path: `${path}.start`, message: 'must be at least 0' });
      ok = false;
    }
    if (!Number.isInteger(end)) {
      ctx.issues.push({ path: `${path}.end`, message: `must be an integer, not ${describeNumber(end)}` });
      ok = false;
    } else if ((end as number) > length) {
      ctx.issues.push({
        path: `${path}.end`,
        message: `must be at most ${length}, the length of "${q.field}" in code points`,
      });
      ok = false;
    } else if (Number.isInteger(start) && (end as number) <= (start as number)) {
      ctx.issues.push({ path: `${path}.end`, message: `must be greater than start (${start as number})` });
      ok = false;
    }
    if (!ok) continue;
    const key = `${start as number}:${end as number}:${label as string}`;
    const first = firstIndex.get(key);
    if (first !== undefined) ctx.issues.push({ path, message: `the same span as ${q.name}[${first}]` });
    else firstIndex.set(key, index);
  }
}

function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeType(value);
}

function checkBoxes(q: BboxesQuestion, value: unknown, ctx: Ctx): void {
  const items = objectItems(value, q, BOX_KEYS, 'boxes ({ x, y, width, height, label })', ctx);
  for (const { item, path } of items) {
    checkLabel(item.label, q.labels, path, ctx);
    const nums: Record<string, number> = {};
    for (const key of ['x', 'y', 'width', 'height'] as const) {
      const v = item[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        ctx.issues.push({
          path: `${path}.${key}`,
          message: `must be a finite number, not ${describeNumber(v)}`,
        });
      } else nums[key] = v;
    }
    const { x, y, width, height } = nums;
    if (x !== undefined && x < -BOX_EPSILON)
      ctx.issues.push({ path: `${path}.x`, message: 'must be at least 0' });
    if (y !== undefined && y < -BOX_EPSILON)
      ctx.issues.push({ path: `${path}.y`, message: 'must be at least 0' });
    if (width !== undefined && width <= 0)
      ctx.issues.push({ path: `${path}.width`, message: 'must be greater than 0' });
    if (height !== undefined && height <= 0)
      ctx.issues.push({ path: `${path}.height`, message: 'must be greater than 0' });
    if (x !== undefined && width !== undefined && width > 0 && x + width > 1 + BOX_EPSILON) {
      ctx.issues.push({
        path: `${path}.width`,
        message: 'the box passes the right edge: x + width must be at most 1',
      });
    }
    if (y !== undefined && height !== undefined && height > 0 && y + height > 1 + BOX_EPSILON) {
      ctx.issues.push({
        path: `${path}.height`,
        message: 'the box passes the bottom edge: y + height must be at most 1',
      });
    }
  }
}

function checkRating(q: RatingQuestion, value: unknown, ctx: Ctx): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < q.min || value > q.max) {
    ctx.issues.push({
      path: q.name,
      message: `must be an integer from ${q.min} to ${q.max}, not ${describeNumber(value)}`,
    });
  }
}

function checkPairwise(q: PairwiseQuestion, value: unknown, ctx: Ctx): void {
  if (value === 'a' || value === 'b' || (value === 'tie' && q.allowTie)) return;
  if (value === 'tie')
    ctx.issues.push({ path: q.name, message: 'a tie is not allowed for this question: choose "a" or "b"' });
  else
    ctx.issues.push({
      path: q.name,
      message: q.allowTie ? 'must be "a", "b" or "tie"' : 'must be "a" or "b"',
    });
}

/** The task's response ids for a ranking, or null (reported) when the data does not hold them. */
function responseIds(q: RankingQuestion, ctx: Ctx): string[] | null {
  const candidates = ownValue(ctx.data, q.field);
  const ids = Array.isArray(candidates)
    ? candidates.map((c: unknown) => (isPlainObject(c) && typeof c.id === 'string' ? c.id : null))
    : null;
  if (ids === null || ids.some((id) => id === null)) {
    ctx.issues.push({
      path: q.name,
      message: `cannot check the ranking: the task's "${q.field}" is not a list of responses`,
    });
    return null;
  }
  return ids as string[];
}

function checkRanking(q: RankingQuestion, value: unknown, ctx: Ctx): void {
  if (!Array.isArray(value)) {
    ctx.issues.push({
      path: q.name,
      message: `must be a list of response ids, best first, not ${describeType(value)}`,
    });
    return;
  }
  const ids = responseIds(q, ctx);
  if (ids === null) return;
  const known = new Set(ids);
  const ranked = new Set<string>();
  value.forEach((id: unknown, i) => {
    const path = `${q.name}[${i}]`;
    if (typeof id !== 'string' || !known.has(id)) {
      const shown = typeof id === 'string' ? JSON.stringify(id) : describeType(id);
      ctx.issues.push({ path, message: `${shown} is not a response of this task (${quoteList(ids)})` });
    } else if (ranked.has(id)) ctx.issues.push({ path, message: `${JSON.stringify(id)} is ranked twice` });
    else ranked.add(id);
  });
  const missing = ids.filter((id) => !ranked.has(id));
  if (missing.length > 0 && !ctx.partial) {
    ctx.issues.push({
      path: q.name,
      message: `rank every response: ${quoteList(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`,
    });
  }
}

function checkText(q: TextQuestion, value: unknown, ctx: Ctx): void {
  if (typeof value !== 'string') {
    ctx.issues.push({ path: q.name, message: `must be a string, not ${describeType(value)}` });
    return;
  }
  // the longest answer is 100,000 code points: more UTF-16 units than twice that is too long uncounted
  const length = value.length > 2 * q.maxLength ? Infinity : codePointLength(value);
  if (length > q.maxLength)
    ctx.issues.push({ path: q.name, message: `must be at most ${plural(q.maxLength, 'character')}` });
  else if (length < q.minLength && !ctx.partial) {
    ctx.issues.push({ path: q.name, message: `must be at least ${plural(q.minLength, 'character')}` });
  }
}
