import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/client';
import {
  formatBytes,
  importContentType,
  progressFraction,
  uploadWithProgress,
  type UploadProgress,
  type XhrLike,
} from './upload';

class FakeXhr implements XhrLike {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: Blob | FormData | null = null;
  aborted = false;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  upload: XhrLike['upload'] = { onprogress: null, onload: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: Blob | FormData) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  respond(status: number, body: string, headers: Record<string, string> = {}) {
    this.status = status;
    this.responseText = body;
    this.responseHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.onload?.();
  }
}

function setup(cookies = 'enclave_csrf=tok%2B1; other=x') {
  const xhr = new FakeXhr();
  return { xhr, deps: { createXhr: () => xhr, cookies: () => cookies } };
}

describe('uploadWithProgress', () => {
  it('posts the body with its type, the CSRF header, and reports progress', async () => {
    const { xhr, deps } = setup();
    const seen: UploadProgress[] = [];
    let sent = false;
    const body = new Blob(['{"data":{}}\n'], { type: 'application/x-ndjson' });
    const done = uploadWithProgress<{ imported: number }>(
      {
        path: '/projects/p1/tasks',
        body,
        contentType: 'application/x-ndjson',
        onProgress: (p) => seen.push(p),
        onSent: () => (sent = true),
      },
      deps,
    );
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/v1/projects/p1/tasks');
    expect(xhr.headers).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/x-ndjson',
      'X-CSRF-Token': 'tok+1',
    });
    expect(xhr.body).toBe(body);
    xhr.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true });
    xhr.upload.onprogress?.({ loaded: 7, total: 0, lengthComputable: false });
    xhr.upload.onload?.();
    xhr.respond(201, '{"imported":3}');
    await expect(done).resolves.toEqual({ imported: 3 });
    expect(seen).toEqual([
      { loaded: 5, total: 10 },
      { loaded: 7, total: null },
    ]);
    expect(sent).toBe(true);
  });

  it('leaves the multipart type to the browser and sends no CSRF header without the cookie', async () => {
    const { xhr, deps } = setup('');
    const form = new FormData();
    const done = uploadWithProgress({ path: '/projects/p1/assets', body: form }, deps);
    expect(xhr.headers).toEqual({ Accept: 'application/json' });
    xhr.respond(201, '{"id":"a1"}');
    await expect(done).resolves.toEqual({ id: 'a1' });
  });

  it('turns the error body into an ApiError with every bad line', async () => {
    const { xhr, deps } = setup();
    const done = uploadWithProgress({ path: '/x', body: new Blob([]) }, deps);
    xhr.respond(
      400,
      JSON.stringify({
        error: {
          code: 'VALIDATION_FAILED',
          message: '2 bad rows; nothing was imported',
          details: [
            { line: 2, path: 'data.text', message: 'required' },
            { line: 5, message: 'not JSON' },
            { nonsense: true },
          ],
        },
      }),
      { 'Content-Type': 'application/json', 'X-Request-Id': 'r-1' },
    );
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: '2 bad rows; nothing was imported',
      details: [
        { line: 2, path: 'data.text', message: 'required' },
        { line: 5, message: 'not JSON' },
      ],
    });
  });

  it('reads a proxy page or an empty body as the status alone', async () => {
    const { xhr, deps } = setup();
    const done = uploadWithProgress({ path: '/x', body: new Blob([]) }, deps);
    xhr.respond(413, '<html>too big</html>', { 'Retry-After': '30' });
    await expect(done).rejects.toMatchObject({ status: 413, code: 'HTTP_413', retryAfterSeconds: 30 });
  });

  it('reports a cut connection and a cancelled upload differently', async () => {
    const a = setup();
    const cut = uploadWithProgress({ path: '/x', body: new Blob([]) }, a.deps);
    a.xhr.onerror?.();
    await expect(cut).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });

    const b = setup();
    const controller = new AbortController();
    const cancelled = uploadWithProgress(
      { path: '/x', body: new Blob([]), signal: controller.signal },
      b.deps,
    );
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(b.xhr.aborted).toBe(true);
  });
});

describe('import helpers', () => {
  it('picks the content type from the extension', () => {
    expect(importContentType('tasks.ndjson')).toBe('application/x-ndjson');
    expect(importContentType('tasks.JSONL')).toBe('application/x-ndjson');
    expect(importContentType('a.b.json')).toBe('application/json');
    expect(importContentType('sheet.csv')).toBe('text/csv');
    expect(importContentType('notes.txt')).toBeNull();
    expect(importContentType('csv')).toBeNull();
  });

  it('shows progress as a fraction and sizes in words', () => {
    expect(progressFraction({ loaded: 5, total: 20 })).toBe(0.25);
    expect(progressFraction({ loaded: 5, total: null })).toBeNull();
    expect(progressFraction(null)).toBeNull();
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(900)).toBe('900 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB');
  });
});
