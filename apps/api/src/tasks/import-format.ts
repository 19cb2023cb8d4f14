import { AppError } from '../core/errors/app-error';
import type { ImportFormat } from './import-run';

/** Media types an import accepts, and the format each one means. */
export const IMPORT_MEDIA_TYPES: Readonly<Record<string, ImportFormat>> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/csv': 'csv',
};

const ACCEPTED = Object.keys(IMPORT_MEDIA_TYPES).join(', ');

/** The import format named by a Content-Type header; 415 for any other type or a charset other than UTF-8. */
export function importFormatOf(contentType: string | undefined): ImportFormat {
  const [mediaType = '', ...params] = (contentType ?? '').split(';');
  const type = mediaType.trim().toLowerCase();
  const format = IMPORT_MEDIA_TYPES[type];
  if (!format) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send the tasks as ${ACCEPTED}, not ${type === '' ? 'a body without a content type' : type}`,
    );
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `send the tasks as UTF-8, not ${charset}`);
    }
  }
  return format;
}
