import { AppError } from '../errors/app-error';

/**
 * Opaque list cursors: `kind:part|part…` in base64url. The kind ties a cursor to the list that issued
 * it, and every part is checked against a pattern before it reaches a query (as a parameter, never
 * as SQL text).
 */
export function encodeCursor(kind: string, parts: readonly string[]): string {
  return Buffer.from(`${kind}:${parts.join('|')}`).toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, patterns: readonly RegExp[]): string[] {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const parts = raw.startsWith(`${kind}:`) && raw.length <= 400 ? raw.slice(kind.length + 1).split('|') : [];
  if (parts.length !== patterns.length || parts.some((p, i) => !patterns[i]!.test(p))) {
    throw new AppError('INVALID_PARAMETER', 'cursor: not a cursor this list returned', [
      { path: 'cursor', message: 'not a cursor this list returned' },
    ]);
  }
  return parts;
}

export const CURSOR_PATTERNS = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  integer: /^\d{1,18}$/,
  /** An ISO timestamp with microseconds, as PostgreSQL keeps them. */
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
} as const;
