import type { ErrorDetail } from '@enclave/contracts';
import { isApiError } from '../../../api/client';
import { describeError } from '../../../shared/errors';

export interface ImportProblemRow {
  /** Null for a problem of the whole file (a bad header, a body that is not an array). */
  line: number | null;
  /** Where in the row, `data.text`; null where the whole line is at fault. */
  path: string | null;
  message: string;
  /** The first problem of its line: the table shows the line number once. */
  firstOfLine: boolean;
}

/** The 400's details, in line order, one row per problem, the line number shown once per line. */
export function importProblemRows(details: readonly ErrorDetail[]): ImportProblemRow[] {
  const sorted = details
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.line ?? 0) - (b.d.line ?? 0) || a.i - b.i)
    .map(({ d }) => d);
  let previous: number | null | undefined;
  return sorted.map((d) => {
    const line = d.line ?? null;
    const row = { line, path: d.path ?? null, message: d.message, firstOfLine: line !== previous };
    previous = line;
    return row;
  });
}

export interface ImportFailure {
  title: string;
  /** The server's own summary, then what to do about it. */
  message: string;
  hint: string | null;
  rows: ImportProblemRow[];
}

/** What to tell the person whose import was refused. */
export function describeImportFailure(error: unknown): ImportFailure {
  if (!isApiError(error))
    return { title: 'Import failed', message: describeError(error), hint: null, rows: [] };
  const message = describeError(error);
  switch (error.status) {
    case 400:
      return {
        title: 'Nothing was imported',
        message,
        hint:
          error.details.length > 0
            ? 'Fix the lines below in the file and import it again: an import is all or nothing.'
            : 'Check the file and import it again: an import is all or nothing.',
        rows: importProblemRows(error.details),
      };
    case 413:
      return {
        title: 'The file is too large',
        message,
        hint: 'Split it into smaller files and import them one after another, or ask your operator to raise the import limit.',
        rows: [],
      };
    case 415:
      return {
        title: 'Wrong file type',
        message,
        hint: 'Import a JSON array (.json), NDJSON (.ndjson or .jsonl) or CSV (.csv) file, saved as UTF-8.',
        rows: [],
      };
    case 409:
      return {
        title: 'Import refused',
        message,
        hint: error.code === 'PROJECT_ARCHIVED' ? 'An archived project takes no more tasks.' : null,
        rows: importProblemRows(error.details),
      };
    case 503:
      return {
        title: 'The import took too long',
        message,
        hint: 'Nothing was imported. Split the file into smaller ones and import them one after another.',
        rows: [],
      };
    default:
      return { title: 'Import failed', message, hint: null, rows: importProblemRows(error.details) };
  }
}
