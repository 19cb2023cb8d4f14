import type { LabelConfig, TaskData } from '@enclave/contracts';
import { validateResult, validateTaskData } from '@enclave/labeling';
import { jsonDepthExceeds, refuseDangerousKeys } from '../core/http/json-body';
import { COPY_NULL, copyText, copyTextArray, jsonbRefusal, textRefusal } from './copy-text';
import type { LineIssue } from './import-errors';

/** The keys a task row may have. */
export const ROW_KEYS = ['data', 'externalId', 'priority', 'gold'] as const;
const ROW_KEY_SET: ReadonlySet<string> = new Set(ROW_KEYS);

export const EXTERNAL_ID_MAX_LENGTH = 500;
export const PRIORITY_LIMIT = 1_000_000;

/**
 * The staging table's columns, in COPY order. `image_fields`/`image_ids` pair each image field of the
 * row with the asset id it names, for the set-based check against `assets` after loading.
 */
export const STAGING_COLUMNS = [
  'line',
  'external_id',
  'priority',
  'data',
  'gold',
  'image_fields',
  'image_ids',
] as const;

/** A row ready for the staging table: its COPY text line, and what the checks after loading need to look at. */
export interface StagedRow {
  copyLine: string;
  hasExternalId: boolean;
  hasImages: boolean;
}

export type RowResult = { ok: true; row: StagedRow } | { ok: false; issues: LineIssue[] };

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Text that may hold a key able to reach a prototype, possibly spelled with \u escapes. */
const MAYBE_DANGEROUS = /__proto__|constructor|prototype|\\u/;

/**
 * Whether the text has more than `max` opening brackets: only then can it nest deeper than `max`. A few
 * native searches, where the exact depth scan walks every character (as costly as JSON.parse itself).
 */
function manyBrackets(text: string, max: number): boolean {
  let n = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1))
      if (++n > max) return true;
  }
  return false;
}

/**
 * JSON.parse of one row (or CSV cell), strictly: keys that reach a prototype are refused as the JSON
 * body parser refuses them, and so is nesting deeper than `maxDepth` (PostgreSQL's jsonb and
 * JSON.stringify recurse). The reviver that refuses those keys makes JSON.parse several times slower,
 * so it runs only on text that could hold one.
 */
export function parseJsonText(text: string, maxDepth: number): JsonParseResult {
  if (manyBrackets(text, maxDepth) && jsonDepthExceeds(text, maxDepth)) {
    return { ok: false, message: `nested deeper than ${maxDepth} levels` };
  }
  try {
    const value: unknown = MAYBE_DANGEROUS.test(text)
      ? JSON.parse(text, refuseDangerousKeys)
      : JSON.parse(text);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, message: `not valid JSON: ${(err as Error).message}` };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Code points, counted only for strings long enough to matter. */
function longerThan(value: string, max: number): boolean {
  if (value.length <= max) return false;
  let n = 0;
  for (const _ of value) if (++n > max) return true;
  return false;
}

/**
 * Checks one task row against the project's label configuration and writes it as a line of COPY text
 * for the staging table. A row is `{ data, externalId?, priority?, gold? }`: `data` passes
 * `validateTaskData`, `gold` (the known answer of a gold task) passes `validateResult` against that data.
 * What needs the whole file or the database (duplicate external ids, image assets) is checked in SQL
 * after loading.
 */
export class TaskRowEncoder {
  private readonly imageFields: readonly string[];

  constructor(
    private readonly config: LabelConfig,
    private readonly maxDepth: number,
  ) {
    this.imageFields = config.fields.filter((f) => f.type === 'image').map((f) => f.name);
  }

  /** One row given as JSON text (an NDJSON line, a JSON array element). */
  fromJson(line: number, text: string): RowResult {
    const parsed = parseJsonText(text, this.maxDepth);
    if (!parsed.ok) return { ok: false, issues: [{ message: parsed.message }] };
    return this.fromValue(line, parsed.value);
  }

  /** One row as a parsed value. */
  fromValue(line: number, value: unknown): RowResult {
    if (!isPlainObject(value)) {
      return {
        ok: false,
        issues: [{ message: `a task must be an object such as {"data": {…}}, not ${describe(value)}` }],
      };
    }
    const issues: LineIssue[] = [];
    for (const key of Object.keys(value)) {
      if (!ROW_KEY_SET.has(key))
        issues.push({ path: key, message: `unknown key (a task has ${ROW_KEYS.join(', ')})` });
    }

    const data = Object.hasOwn(value, 'data') ? value.data : undefined;
    let dataValid = false;
    if (data === undefined) issues.push({ path: 'data', message: 'required' });
    else {
      const dataIssues = validateTaskData(this.config, data);
      dataValid = dataIssues.length === 0;
      issues.push(...dataIssues);
    }

    const externalId = Object.hasOwn(value, 'externalId') ? value.externalId : undefined;
    if (externalId !== undefined && externalId !== null) {
      if (typeof externalId !== 'string')
        issues.push({ path: 'externalId', message: `must be a string, not ${describe(externalId)}` });
      else if (externalId.length === 0) issues.push({ path: 'externalId', message: 'must not be empty' });
      else if (longerThan(externalId, EXTERNAL_ID_MAX_LENGTH)) {
        issues.push({ path: 'externalId', message: `must be at most ${EXTERNAL_ID_MAX_LENGTH} characters` });
      } else {
        const refusal = textRefusal(externalId);
        if (refusal) issues.push({ path: 'externalId', message: refusal });
      }
    }

    const priority = Object.hasOwn(value, 'priority') ? value.priority : undefined;
    if (priority !== undefined && priority !== null) {
      if (typeof priority !== 'number' || !Number.isInteger(priority)) {
        issues.push({
          path: 'priority',
          message: `must be an integer, not ${typeof priority === 'number' ? priority : describe(priority)}`,
        });
      } else if (Math.abs(priority) > PRIORITY_LIMIT) {
        issues.push({
          path: 'priority',
          message: `must be between ${-PRIORITY_LIMIT} and ${PRIORITY_LIMIT}`,
        });
      }
    }

    const gold = Object.hasOwn(value, 'gold') ? value.gold : undefined;
    if (gold !== undefined && gold !== null && dataValid) {
      for (const issue of validateResult(this.config, data as TaskData, gold)) {
        issues.push({ path: issue.path === '' ? 'gold' : `gold.${issue.path}`, message: issue.message });
      }
    }
    if (issues.length > 0) return { ok: false, issues };

    const dataJson = JSON.stringify(data);
    const dataRefusal = jsonbRefusal(dataJson);
    if (dataRefusal) return { ok: false, issues: [{ path: 'data', message: dataRefusal }] };
    let goldText = COPY_NULL;
    if (gold !== undefined && gold !== null) {
      const goldJson = JSON.stringify(gold);
      const goldRefusal = jsonbRefusal(goldJson);
      if (goldRefusal) return { ok: false, issues: [{ path: 'gold', message: goldRefusal }] };
      goldText = copyText(goldJson);
    }

    let fieldsText = COPY_NULL;
    let idsText = COPY_NULL;
    if (this.imageFields.length > 0) {
      const fields: string[] = [];
      const ids: string[] = [];
      for (const name of this.imageFields) {
        // validateTaskData has checked that each image field holds a UUID
        fields.push(name);
        ids.push(((data as Record<string, unknown>)[name] as string).toLowerCase());
      }
      fieldsText = copyTextArray(fields);
      idsText = `{${ids.join(',')}}`;
    }
    const hasExternalId = typeof externalId === 'string';
    const copyLine = `${line}\t${hasExternalId ? copyText(externalId) : COPY_NULL}\t${typeof priority === 'number' ? priority : 0}\t${copyText(dataJson)}\t${goldText}\t${fieldsText}\t${idsText}\n`;
    return { ok: true, row: { copyLine, hasExternalId, hasImages: this.imageFields.length > 0 } };
  }
}
