import express, { type NextFunction, type Request, type Response } from 'express';
import typeIs from 'type-is';
import { AppError } from '../errors/app-error';

export const JSON_BODY_LIMIT = '1mb';
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The nesting depth of a JSON text, found in one pass without parsing, so that a deeply nested body is
 * refused before JSON.parse recurses through it.
 */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** JSON.parse reviver that refuses keys able to reach an object's prototype. */
export function refuseDangerousKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) {
    throw new SyntaxError(`the key "${key}" is not allowed`);
  }
  return value;
}

/** Paths whose bodies are streamed by their own handlers: task imports and asset uploads. */
export const STREAMING_ROUTES: readonly RegExp[] = [/^\/api\/v1\/projects\/[^/]+\/(tasks|assets)\/?$/];

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/**
 * A body on a JSON route must be JSON (415 otherwise); it is limited to 1 MB (413), parsed strictly
 * (400 on malformed text, forbidden keys or excessive nesting).
 */
export function jsonBodyMiddleware(maxDepth: number) {
  const parser = express.json({
    limit: JSON_BODY_LIMIT,
    strict: true,
    type: () => true,
    reviver: refuseDangerousKeys,
    verify: (_req, _res, buf) => {
      if (jsonDepthExceeds(buf.toString('utf8'), maxDepth)) {
        const err = new Error(`the body is nested deeper than ${maxDepth} levels`) as Error & { status: number; type: string };
        err.status = 400;
        err.type = 'entity.verify.failed';
        throw err;
      }
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    // Mounted by Nest under a path, so req.path is relative: match on the full URL's path.
    const fullPath = req.originalUrl.split('?')[0] ?? '';
    if (!BODY_METHODS.has(req.method) || !fullPath.startsWith('/api/')) return next();
    if (STREAMING_ROUTES.some((r) => r.test(fullPath))) return next();
    if (!hasBody(req)) return next();
    if (!typeIs(req, ['application/json', 'application/*+json'])) {
      return next(
        new AppError('UNSUPPORTED_MEDIA_TYPE', `send the body as application/json, not ${req.headers['content-type'] ?? 'no content type'}`),
      );
    }
    return parser(req, res, next);
  };
}
