import type { LabelConfig } from '@enclave/contracts';
import { csvLayout, csvRecordToRow, type CsvLayout } from './import-csv';
import { DEFAULT_ERROR_LIMITS, ImportErrors, type ImportErrorLimits, type LineIssue } from './import-errors';
import type { RowTextSink } from './import-splitters';
import { TaskRowEncoder, type RowResult } from './import-rows';

export const IMPORT_FORMATS = ['json', 'ndjson', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportLimits {
  /** Rows per import (413 past it). */
  maxRows: number;
  /** Bytes of one row (an NDJSON line, an array element, a CSV record): a longer one is a bad line. */
  maxRowBytes: number;
  /** JSON nesting of a row. */
  maxDepth: number;
  errors?: ImportErrorLimits;
}

/** Why reading stopped before the end of the body. */
export type StopReason = 'errors' | 'fatal' | 'rows';

/** How rows are numbered in answers, per format. */
export const LINE_NUMBERING: Record<ImportFormat, string> = {
  ndjson: 'line numbers count the lines of the NDJSON body from 1',
  csv: 'line numbers count the lines of the CSV body from 1, the header being line 1',
  json: 'line numbers are element numbers of the JSON array, the first element being 1',
};

/**
 * One import in progress: turns rows into COPY text for the staging table, counts them, collects the
 * bad ones (capped), and decides when to stop reading. It holds at most the COPY text not yet handed to
 * the stream (about one chunk), never the rows themselves.
 */
export class ImportRun implements RowTextSink {
  readonly errors: ImportErrors;
  /** Rows read (good and bad), blank lines and the CSV header not counted. */
  rows = 0;
  /** Rows written to the staging table. */
  staged = 0;
  hasExternalIds = false;
  hasImages = false;
  stop: StopReason | null = null;
  private copyText = '';
  private readonly encoder: TaskRowEncoder;
  private csv: CsvLayout | null = null;
  private csvEndLine = 0;
  private csvEmptyLines = 0;

  constructor(
    readonly format: ImportFormat,
    private readonly config: LabelConfig,
    readonly limits: ImportLimits,
  ) {
    this.errors = new ImportErrors(limits.errors ?? DEFAULT_ERROR_LIMITS);
    this.encoder = new TaskRowEncoder(config, limits.maxDepth);
  }

  get stopped(): boolean {
    return this.stop !== null;
  }

  rowText(line: number, text: string): void {
    if (this.countRow()) this.take(line, this.encoder.fromJson(line, text));
  }

  unreadableRow(line: number, message: string): void {
    if (this.countRow()) this.reject(line, [{ message }]);
  }

  fatal(line: number, message: string): void {
    this.fatalIssues(line, [{ message }]);
  }

  /**
   * One CSV record as csv-parse hands it over, with the line it ends on and the blank lines skipped so
   * far: the record starts on the line after the previous one ended, past any blank lines between.
   */
  csvRecord(record: readonly string[], endLine: number, emptyLines: number): void {
    const line = this.csvStartLine(emptyLines);
    this.csvEndLine = endLine;
    this.csvEmptyLines = emptyLines;
    if (this.csv === null) {
      const layout = csvLayout(this.config, record);
      if (layout.ok) this.csv = layout.layout;
      else
        this.fatalIssues(
          line,
          layout.issues.map((i) => ({ ...i, message: `header: ${i.message}` })),
        );
      return;
    }
    if (!this.countRow()) return;
    const row = csvRecordToRow(this.csv, record, this.limits.maxDepth);
    this.take(line, row.ok ? this.encoder.fromValue(line, row.value) : row);
  }

  /** The line where the next CSV record starts (for a parse error that csv-parse reports at its end). */
  csvStartLine(emptyLines = this.csvEmptyLines): number {
    return this.csvEndLine + 1 + (emptyLines - this.csvEmptyLines);
  }

  /** The COPY text gathered so far once it reaches `minChars` (all of it with 0), or null. */
  takeCopyText(minChars: number): string | null {
    if (this.copyText.length === 0 || this.copyText.length < minChars) return null;
    const text = this.copyText;
    this.copyText = '';
    return text;
  }

  private countRow(): boolean {
    if (this.stop !== null) return false;
    this.rows += 1;
    if (this.rows > this.limits.maxRows) {
      this.stop = 'rows';
      return false;
    }
    return true;
  }

  private take(line: number, result: RowResult | { ok: false; issues: LineIssue[] }): void {
    if (!result.ok) {
      this.reject(line, result.issues);
      return;
    }
    this.copyText += result.row.copyLine;
    this.staged += 1;
    if (result.row.hasExternalId) this.hasExternalIds = true;
    if (result.row.hasImages) this.hasImages = true;
  }

  private reject(line: number, issues: LineIssue[]): void {
    this.errors.add(line, issues);
    if (this.errors.full) this.stop = 'errors';
  }

  private fatalIssues(line: number, issues: LineIssue[]): void {
    if (this.stop !== null) return;
    this.errors.add(line, issues);
    this.stop = 'fatal';
  }
}
