import type { ExportFormat } from '@enclave/contracts';
import type { ExportContext } from './record';

/**
 * Turns exported records, one at a time, into the bytes of one format. A writer never holds more than
 * the record in hand (and a few counters): the server streams a million records through it.
 *
 * Records arrive as their JSON text, exactly as the database built it: `jsonl` and `json` pass that
 * text through untouched, the other formats parse it. Formats that need the records twice (COCO lists
 * every image before any box) declare `passes: 2`; the server then sends every record in pass 1, calls
 * `between()`, and sends them all again in pass 2.
 */
export interface ExportWriter {
  readonly passes: 1 | 2;
  /** What comes before the first record. */
  head(): string;
  /** The output for one record in a pass (1 or 2); may be empty. */
  write(recordJson: string, pass: number): string;
  /** Between pass 1 and pass 2. */
  between(): string;
  /** What comes after the last record. */
  tail(): string;
  /** Records of the output so far: lines, array elements, CSV rows, COCO boxes, CoNLL documents, pairs. */
  readonly rows: number;
}

/** What each format is sent as. */
export const EXPORT_MEDIA: Record<ExportFormat, { contentType: string; extension: string }> = {
  jsonl: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'jsonl' },
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  coco: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  conll: { contentType: 'text/plain; charset=utf-8', extension: 'conll' },
  preference: { contentType: 'application/x-ndjson; charset=utf-8', extension: 'jsonl' },
};

/** One task record per line, as built by the database. */
export class JsonlWriter implements ExportWriter {
  readonly passes = 1;
  rows = 0;

  head(): string {
    return '';
  }

  write(recordJson: string): string {
    this.rows++;
    return recordJson + '\n';
  }

  between(): string {
    return '';
  }

  tail(): string {
    return '';
  }
}

/** One JSON array of task records, one element per line: `[`, records separated by `,`, `]`. */
export class JsonArrayWriter implements ExportWriter {
  readonly passes = 1;
  rows = 0;

  head(): string {
    return '[';
  }

  write(recordJson: string): string {
    return (this.rows++ === 0 ? '\n' : ',\n') + recordJson;
  }

  between(): string {
    return '';
  }

  tail(): string {
    return this.rows === 0 ? ']\n' : '\n]\n';
  }
}

/** Makes the writer of a format; `ctx` carries the project's configurations. */
export type WriterFactory = (ctx: ExportContext) => ExportWriter;
