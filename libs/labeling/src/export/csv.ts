import { stringify } from 'csv-stringify/sync';
import type { LabelConfig } from '@enclave/contracts';
import { exportQuestions, type ExportAnnotation, type ExportContext, type ExportRecord } from './record';
import type { ExportWriter } from './writer';

/**
 * CSV, one row per annotation (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote
 * or a line break). Columns: the task and annotation facts, then `data.<field>` for each field of the
 * configuration, then one column per question (every question any version had, current first).
 * Strings are written as they are, other values as JSON (`["a","b"]`, `[{"start":0,…}]`).
 *
 * Every cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return, or their full-width forms) gets a leading `'`, so opening an export never runs what
 * an annotator or a task's data wrote: csv-stringify's `escape_formulas`.
 *
 * A task with no annotation (only with `status=all`) still gets one row, with its annotation columns
 * empty, so that every task of the export appears.
 */
const TASK_COLUMNS = ['task_id', 'external_id'] as const;
const ANNOTATION_COLUMNS = [
  'annotation_id',
  'annotator',
  'status',
  'config_version',
  'lead_time_ms',
  'created_at',
  'submitted_at',
  'review_verdict',
  'review_comment',
  'reviewer',
  'reviewed_at',
] as const;
const IDENTITY_COLUMNS = ['annotator_id', 'annotator_email', 'annotator_name', 'reviewer_email'] as const;

// quote_record_delimiter: without it, csv-stringify 6.9 leaves a lone `\r` or `\n` in a cell unquoted
// once the record delimiter is CRLF, and the file no longer parses back.
const CSV_OPTIONS = {
  escape_formulas: true,
  record_delimiter: 'windows',
  quote_record_delimiter: true,
} as const;

/** A cell's text: strings as they are, null and absent as empty, anything else as JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Rows to CSV text, formula cells escaped. */
export function csvLines(rows: string[][]): string {
  return rows.length === 0 ? '' : stringify(rows, CSV_OPTIONS);
}

export interface CsvLayout {
  header: string[];
  fields: string[];
  questions: string[];
}

/**
 * The columns of an export. A question named like a fixed column (`status`, say) is written as
 * `answer.<name>`, so that no two columns share a name.
 */
export function csvLayout(configs: readonly LabelConfig[], identities: boolean): CsvLayout {
  const fixed: string[] = [...TASK_COLUMNS, ...ANNOTATION_COLUMNS, ...(identities ? IDENTITY_COLUMNS : [])];
  const fields = configs[0]?.fields.map((f) => f.name) ?? [];
  const questions = exportQuestions(configs).map((q) => q.name);
  const taken = new Set(fixed);
  return {
    header: [
      ...fixed,
      ...fields.map((f) => `data.${f}`),
      ...questions.map((q) => (taken.has(q) ? `answer.${q}` : q)),
    ],
    fields,
    questions,
  };
}

function annotationCells(a: ExportAnnotation | undefined, identities: boolean): string[] {
  const cells = [
    a?.id,
    a?.annotator,
    a?.status,
    a?.configVersion,
    a?.leadTimeMs,
    a?.createdAt,
    a?.submittedAt,
    a?.review?.verdict,
    a?.review?.comment,
    a?.review?.reviewer,
    a?.review?.reviewedAt,
  ].map(csvCell);
  if (identities) {
    cells.push(
      ...[
        a?.annotatorIdentity?.id,
        a?.annotatorIdentity?.email,
        a?.annotatorIdentity?.name,
        a?.review?.reviewerIdentity?.email,
      ].map(csvCell),
    );
  }
  return cells;
}

/** The cells of one task record: a row per annotation, or one row when it has none. */
export function csvRows(record: ExportRecord, layout: CsvLayout, identities: boolean): string[][] {
  const taskCells = [record.id, record.externalId].map(csvCell);
  const dataCells = layout.fields.map((f) => csvCell(Object.hasOwn(record.data, f) ? record.data[f] : null));
  const annotations: (ExportAnnotation | undefined)[] =
    record.annotations.length > 0 ? record.annotations : [undefined];
  return annotations.map((a) => [
    ...taskCells,
    ...annotationCells(a, identities),
    ...dataCells,
    ...layout.questions.map((q) => csvCell(a && Object.hasOwn(a.result, q) ? a.result[q] : null)),
  ]);
}

export class CsvWriter implements ExportWriter {
  readonly passes = 1;
  rows = 0;
  private readonly layout: CsvLayout;

  constructor(private readonly ctx: ExportContext) {
    this.layout = csvLayout(ctx.configs, ctx.identities);
  }

  head(): string {
    return csvLines([this.layout.header]);
  }

  write(recordJson: string): string {
    const rows = csvRows(JSON.parse(recordJson) as ExportRecord, this.layout, this.ctx.identities);
    this.rows += rows.length;
    return csvLines(rows);
  }

  between(): string {
    return '';
  }

  tail(): string {
    return '';
  }
}
