import {
  API_BASE,
  ApiError,
  CSRF_COOKIE,
  CSRF_HEADER,
  errorFromResponse,
  readCookie,
} from '../../../api/client';

/**
 * Uploads with progress. `fetch` reports no upload progress, so files go through XMLHttpRequest; the
 * rest matches the typed client: same-origin cookies, the CSRF header, errors as `ApiError`.
 */

export interface UploadProgress {
  loaded: number;
  /** Null when the browser cannot tell the size. */
  total: number | null;
}

/** The part of XMLHttpRequest the upload uses, so tests can hand in a fake. */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob | FormData): void;
  abort(): void;
  getResponseHeader(name: string): string | null;
  readonly status: number;
  readonly responseText: string;
  readonly upload: {
    onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
    onload: (() => void) | null;
  };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export interface UploadRequest {
  /** Under /api/v1, e.g. `/projects/<id>/tasks`. */
  path: string;
  body: Blob | FormData;
  /** For a Blob; a FormData body gets its multipart type (with the boundary) from the browser. */
  contentType?: string;
  onProgress?: (progress: UploadProgress) => void;
  /** Every byte is sent; the server is still reading, checking or storing. */
  onSent?: () => void;
  signal?: AbortSignal;
}

export interface UploadDeps {
  createXhr?: () => XhrLike;
  cookies?: () => string;
  base?: string;
}

const RESPONSE_HEADERS = ['Content-Type', 'Retry-After', 'X-Request-Id'];

/** A failed answer as the typed client would report it, from the status and text XMLHttpRequest gives. */
export async function errorFromXhr(xhr: Pick<XhrLike, 'status' | 'responseText' | 'getResponseHeader'>) {
  if (xhr.status < 200 || xhr.status > 599) {
    return new ApiError(
      0,
      'NETWORK_ERROR',
      'the upload did not reach the server; check the connection and try again',
    );
  }
  const headers = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = xhr.getResponseHeader(name);
    if (value !== null) headers.set(name, value);
  }
  return errorFromResponse(new Response(xhr.responseText || null, { status: xhr.status, headers }));
}

export function uploadWithProgress<T>(request: UploadRequest, deps: UploadDeps = {}): Promise<T> {
  const createXhr = deps.createXhr ?? (() => new XMLHttpRequest() as unknown as XhrLike);
  const cookies = deps.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
  const base = deps.base ?? API_BASE;

  return new Promise<T>((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted) {
      reject(new DOMException('the upload was cancelled', 'AbortError'));
      return;
    }
    const xhr = createXhr();
    const onAbortSignal = () => xhr.abort();
    signal?.addEventListener('abort', onAbortSignal, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbortSignal);

    xhr.open('POST', `${base}${request.path}`);
    xhr.setRequestHeader('Accept', 'application/json');
    if (request.contentType) xhr.setRequestHeader('Content-Type', request.contentType);
    const csrf = readCookie(CSRF_COOKIE, cookies());
    if (csrf) xhr.setRequestHeader(CSRF_HEADER, csrf);

    xhr.upload.onprogress = (e) =>
      request.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : null });
    xhr.upload.onload = () => request.onSent?.();
    xhr.onload = () => {
      done();
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
        } catch {
          reject(
            new ApiError(xhr.status, 'MALFORMED_RESPONSE', 'the server answered with something unreadable'),
          );
        }
        return;
      }
      void errorFromXhr(xhr).then(reject);
    };
    xhr.onerror = () => {
      done();
      reject(
        new ApiError(
          0,
          'NETWORK_ERROR',
          'the upload was cut off before the server answered; check the connection and try again',
        ),
      );
    };
    xhr.onabort = () => {
      done();
      reject(new DOMException('the upload was cancelled', 'AbortError'));
    };
    xhr.send(request.body);
  });
}

/** The import formats the API takes (docs/import.md), by file extension. */
export const IMPORT_TYPES: Readonly<Record<string, { contentType: string; label: string }>> = {
  json: { contentType: 'application/json', label: 'JSON array' },
  ndjson: { contentType: 'application/x-ndjson', label: 'NDJSON' },
  jsonl: { contentType: 'application/x-ndjson', label: 'JSON lines' },
  csv: { contentType: 'text/csv', label: 'CSV' },
};

export const IMPORT_ACCEPT = Object.keys(IMPORT_TYPES)
  .map((ext) => `.${ext}`)
  .join(',');

/** The content type an import of this file is sent with, from its extension; null for any other file. */
export function importContentType(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return null;
  return IMPORT_TYPES[fileName.slice(dot + 1).toLowerCase()]?.contentType ?? null;
}

/** `0.42` of the way, or null when the size is unknown. */
export function progressFraction(p: UploadProgress | null): number | null {
  if (!p || p.total === null || p.total <= 0) return null;
  return Math.min(1, Math.max(0, p.loaded / p.total));
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}
