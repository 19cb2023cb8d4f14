import type { LabelConfig, LabelField } from '@enclave/contracts';
import type { LineIssue } from './import-errors';
import { parseJsonText } from './import-rows';

/**
 * How a CSV upload maps onto task rows (docs/import.md). The first line is a header. Either one `data`
 * column holds each task's data as a JSON object, or there is one column per field of the label
 * configuration: text, markdown and image fields as plain text, chat and responses fields as JSON.
 * Optional `externalId` (empty: none), `priority` (an integer; empty: 0) and `gold` (a JSON object;
 * empty: not a gold task) columns complete a row. Any other column is refused, so that a misspelt
 * header never drops data silently.
 */
export interface CsvLayout {
  width: number;
  data: number | null;
  fields: { index: number; field: LabelField }[];
  externalId: number | null;
  priority: number | null;
  gold: number | null;
}

const ROW_COLUMNS = ['externalId', 'priority', 'gold'] as const;
const PLAIN_TEXT_FIELDS: ReadonlySet<LabelField['type']> = new Set(['text', 'markdown', 'image']);

export type CsvLayoutResult = { ok: true; layout: CsvLayout } | { ok: false; issues: LineIssue[] };

export function csvLayout(config: LabelConfig, header: readonly string[]): CsvLayoutResult {
  const names = header.map((h) => h.trim());
  const issues: LineIssue[] = [];
  const seen = new Map<string, number>();
  const fieldByName = new Map(config.fields.map((f) => [f.name, f]));
  const layout: CsvLayout = {
    width: names.length,
    data: null,
    fields: [],
    externalId: null,
    priority: null,
    gold: null,
  };
  names.forEach((name, index) => {
    const column = `column ${index + 1}`;
    if (name === '') {
      issues.push({ path: column, message: 'the header names no column here' });
      return;
    }
    if (seen.has(name)) {
      issues.push({ path: column, message: `"${name}" is also column ${seen.get(name)! + 1}` });
      return;
    }
    seen.set(name, index);
    // a field's name wins over the reserved column names: a field may be called `data` or `priority`
    if (fieldByName.has(name)) layout.fields.push({ index, field: fieldByName.get(name)! });
    else if (name === 'data') layout.data = index;
    else if ((ROW_COLUMNS as readonly string[]).includes(name))
      layout[name as (typeof ROW_COLUMNS)[number]] = index;
    else {
      const expected = ['data', ...config.fields.map((f) => f.name), ...ROW_COLUMNS].join(', ');
      issues.push({ path: column, message: `unknown column "${name}" (columns: ${expected})` });
    }
  });
  if (issues.length === 0) {
    if (layout.data !== null && layout.fields.length > 0) {
      issues.push({ message: 'give either a "data" column or one column per field, not both' });
    } else if (layout.data === null) {
      const missing = config.fields
        .filter((f) => !layout.fields.some((c) => c.field.name === f.name))
        .map((f) => f.name);
      if (missing.length > 0) {
        issues.push({
          message: `no column for the field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (or give one "data" column of JSON objects)`,
        });
      }
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, layout };
}

const INTEGER = /^[+-]?\d{1,16}$/;

export type CsvRowResult = { ok: true; value: Record<string, unknown> } | { ok: false; issues: LineIssue[] };

/** One CSV record as a task row, ready for the same checks as a JSON row. */
export function csvRecordToRow(layout: CsvLayout, record: readonly string[], maxDepth: number): CsvRowResult {
  if (record.length !== layout.width) {
    return {
      ok: false,
      issues: [{ message: `has ${record.length} columns, the header has ${layout.width}` }],
    };
  }
  const issues: LineIssue[] = [];
  const row: Record<string, unknown> = {};
  const json = (cell: string, path: string): unknown => {
    const parsed = parseJsonText(cell, maxDepth);
    if (parsed.ok) return parsed.value;
    issues.push({ path, message: parsed.message });
    return undefined;
  };
  if (layout.data !== null) {
    const cell = record[layout.data]!;
    if (cell.trim() === '') issues.push({ path: 'data', message: 'required' });
    else row.data = json(cell, 'data');
  } else {
    const data: Record<string, unknown> = {};
    for (const { index, field } of layout.fields) {
      const cell = record[index]!;
      data[field.name] = PLAIN_TEXT_FIELDS.has(field.type)
        ? cell
        : cell.trim() === ''
          ? undefined
          : json(cell, `data.${field.name}`);
      if (data[field.name] === undefined) delete data[field.name];
    }
    row.data = data;
  }
  if (layout.externalId !== null && record[layout.externalId] !== '')
    row.externalId = record[layout.externalId];
  if (layout.priority !== null) {
    const cell = record[layout.priority]!.trim();
    if (cell !== '') {
      if (INTEGER.test(cell)) row.priority = Number(cell);
      else issues.push({ path: 'priority', message: `must be an integer, not "${cell.slice(0, 50)}"` });
    }
  }
  if (layout.gold !== null) {
    const cell = record[layout.gold]!;
    if (cell.trim() !== '') row.gold = json(cell, 'gold');
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: row };
}
