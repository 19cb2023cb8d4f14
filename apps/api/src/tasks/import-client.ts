import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { ErrorBody, ErrorDetail, ImportResult } from '@enclave/contracts';
import { IMPORT_FORMATS, type ImportFormat } from './import-run';

/**
 * The client side of a task import, for the CLI (`enclave tasks:import`): streams a file from disk to
 * POST /api/v1/projects/:id/tasks with an API token, reporting progress, and stops sending as soon as
 * the server answers (a 400 after 100 bad lines comes long before a large file is sent).
 */
export const CONTENT_TYPES: Record<ImportFormat, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
};

const EXTENSIONS: Record<string, ImportFormat> = {
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.csv': 'csv',
};

export function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

/** The format of a file from its extension, or null when the extension says nothing. */
export function formatFromPath(file: string): ImportFormat | null {
  return EXTENSIONS[path.extname(file).toLowerCase()] ?? null;
}

export interface ImportFileOptions {
  /** The server, e.g. `http://127.0.0.1:3000`. */
  url: string;
  token: string;
  projectId: string;
  file: string;
  format: ImportFormat;
  /** Called as bytes leave, with the bytes sent so far and the file's size. */
  onProgress?: (sent: number, total: number) => void;
}

export type ImportFileResult =
  | { ok: true; imported: number }
  | { ok: false; status: number; code: string; message: string; details: ErrorDetail[] };

/** Streams the file to the server and resolves with its answer; rejects only when no answer came. */
export async function importFile(opts: ImportFileOptions): Promise<ImportFileResult> {
  const { size } = await fs.promises.stat(opts.file).catch((err: Error) => {
    throw new Error(`could not read ${opts.file}: ${err.message}`);
  });
  const target = new URL(`/api/v1/projects/${encodeURIComponent(opts.projectId)}/tasks`, opts.url);
  const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
  if (!transport) throw new Error(`--url must be an http:// or https:// address, not ${opts.url}`);

  return new Promise<ImportFileResult>((resolve, reject) => {
    let answered = false;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    // 64 KB writes: a server that answers early and resets the connection is seen before the next write fails
    const input = fs.createReadStream(opts.file, { highWaterMark: 64 * 1024 });
    const req = transport.request(target, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${opts.token}`,
        'content-type': CONTENT_TYPES[opts.format],
        'content-length': String(size),
        accept: 'application/json',
      },
    });
    req.on('response', (res) => {
      answered = true;
      // the server has decided: sending the rest would be wasted
      input.unpipe(req);
      input.destroy();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => fail(err));
      res.on('end', () => {
        // an early answer leaves the body unfinished: this connection is of no further use
        req.destroy();
        if (settled) return;
        settled = true;
        resolve(interpret(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      });
    });
    // after an early answer the server closes the connection: writing then fails, the answer stands
    req.on('error', (err) => {
      if (!answered) fail(new Error(`could not reach ${target.origin}: ${err.message}`));
    });
    input.on('error', (err) => {
      req.destroy();
      fail(new Error(`could not read ${opts.file}: ${err.message}`));
    });
    let sent = 0;
    input.on('data', (chunk) => {
      sent += chunk.length;
      opts.onProgress?.(sent, size);
    });
    input.pipe(req);
  });
}

function interpret(status: number, text: string): ImportFileResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {
      ok: false,
      status,
      code: 'INVALID_ANSWER',
      message: `the server answered ${status}: ${text.slice(0, 200)}`,
      details: [],
    };
  }
  if (status === 201 && typeof (body as ImportResult).imported === 'number')
    return { ok: true, imported: (body as ImportResult).imported };
  const error = (body as Partial<ErrorBody>).error;
  return {
    ok: false,
    status,
    code: error?.code ?? 'UNKNOWN',
    message: error?.message ?? `the server answered ${status}`,
    details: Array.isArray(error?.details) ? error.details : [],
  };
}

/** `line 12: data.text: required` — one bad line of a refused import, for a terminal. */
export function formatDetail(d: ErrorDetail): string {
  const where = d.line !== undefined ? `line ${d.line}: ` : '';
  return `${where}${d.path ? `${d.path}: ` : ''}${d.message}`;
}
