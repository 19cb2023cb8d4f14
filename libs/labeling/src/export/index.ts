/**
 * Export formatters (SPEC §6, docs/export.md): writers that turn exported task records, streamed one at
 * a time, into JSONL, JSON, CSV, COCO, CoNLL or preference pairs. Pure: no I/O, no clock.
 */
import type { ExportFormat } from '@enclave/contracts';
import { CocoWriter } from './coco';
import { ConllWriter } from './conll';
import { CsvWriter } from './csv';
import { PreferenceWriter } from './preference';
import type { ExportContext } from './record';
import { JsonArrayWriter, JsonlWriter, type ExportWriter } from './writer';

export {
  annotatorName,
  exportQuestions,
  labelsAcrossVersions,
  type ExportAnnotation,
  type ExportContext,
  type ExportImage,
  type ExportPerson,
  type ExportRecord,
  type ExportReview,
} from './record';
export { EXPORT_MEDIA, JsonArrayWriter, JsonlWriter, type ExportWriter } from './writer';
export { csvCell, csvLayout, csvLines, csvRows, CsvWriter, type CsvLayout } from './csv';
export { boxToPixels, CocoWriter, type CocoAnnotation, type CocoCategory, type CocoImage } from './coco';
export { bioTags, conllDocument, ConllWriter, tokenize, type Token } from './conll';
export { preferredPairs, promptOf, PreferenceWriter, type PreferencePair, type Prompt } from './preference';

/** The writer of a format. */
export function createExportWriter(format: ExportFormat, ctx: ExportContext): ExportWriter {
  switch (format) {
    case 'jsonl':
      return new JsonlWriter();
    case 'json':
      return new JsonArrayWriter();
    case 'csv':
      return new CsvWriter(ctx);
    case 'coco':
      return new CocoWriter(ctx);
    case 'conll':
      return new ConllWriter(ctx);
    case 'preference':
      return new PreferenceWriter(ctx);
  }
}
