import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  EXPORT_FORMATS,
  EXPORT_STATUSES,
  type ErrorBody,
  type ExportFormat,
  type ExportStatus,
} from '@enclave/contracts';

/**
 * The client side of an export, for the CLI (`enclave export`): GET /api/v1/projects/:id/export with an
 * API token, streamed to a file as it arrives (never held in memory), hashed on the way. The download
 * goes to `<out>.part` and is renamed to `<out>` only when complete; a failed one leaves no file.
 *
 * The server sends the row count and its own SHA-256 of the body as HTTP trailers; the client checks
 * the digest against the bytes it wrote.
 */
export const ROWS_TRAILER = 'x-export-rows';
export const SHA256_TRAILER = 'x-export-sha256';

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

export function isExportStatus(value: string): value is ExportStatus {
  return (EXPORT_STATUSES as readonly string[]).includes(value);
}

export interface ExportFileOptions {
  /** The server, e.g. `http://127.0.0.1:3000`. */
  url: string;
  token: string;
  projectId: string;
  format: ExportFormat;
  status?: ExportStatus;
  identities?: boolean;
  out: string;
  /** Called as bytes arrive, with the bytes and the line breaks received so far. */
  onProgress?: (bytes: number, lines: number) => void;
}

export type ExportFileResult =
  | { ok: true; bytes: number; rows: number | null; sha256: string }
  | { ok: false; status: number; code: string; message: string };

export function exportUrl(
  opts: Pick<ExportFileOptions, 'url' | 'projectId' | 'format' | 'status' | 'identities'>,
): URL {
  const target = new URL(`/api/v1/projects/${encodeURIComponent(opts.projectId)}/export`, opts.url);
  target.searchParams.set('format', opts.format);
  if (opts.status) target.searchParams.set('status', opts.status);
  if (opts.identities) target.searchParams.set('identities', 'true');
  return target;
}

/** Downloads the export into `opts.out`; resolves with the server's answer, rejects only when the transfer failed. */
export async function exportToFile(opts: ExportFileOptions): Promise<ExportFileResult> {
  const target = exportUrl(opts);
  const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
  if (!transport) throw new Error(`--url must be an http:// or https:// address, not ${opts.url}`);

  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = transport.get(target, { headers: { authorization: `Bearer ${opts.token}` } }, resolve);
    req.on('error', (err) => reject(new Error(`could not reach ${target.origin}: ${err.message}`)));
  });
  if (res.statusCode !== 200) return refusal(res);

  const partial = `${opts.out}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      opts.onProgress?.(bytes, lines);
      done(null, chunk);
    },
  });
  let complete = false;
  res.once('end', () => (complete = true));
  try {
    await pipeline(res, meter, fs.createWriteStream(partial));
    // A connection cut mid-body can look like an end to the stream; only a complete message counts.
    if (!complete || !res.complete) throw new Error(`the download was cut off after ${bytes} bytes`);
  } catch (err) {
    await fs.promises.rm(partial, { force: true });
    if (err instanceof Error && err.message.startsWith('the download was cut off')) throw err;
    throw new Error(`the download failed after ${bytes} bytes: ${(err as Error).message}`);
  }
  const sha256 = hash.digest('hex');
  const claimed = res.trailers[SHA256_TRAILER];
  if (claimed && claimed !== sha256) {
    await fs.promises.rm(partial, { force: true });
    throw new Error(`the file's SHA-256 (${sha256}) differs from the server's (${claimed})`);
  }
  await fs.promises.rename(partial, opts.out);
  const rows = res.trailers[ROWS_TRAILER];
  return { ok: true, bytes, rows: rows === undefined ? null : Number(rows), sha256 };
}

async function refusal(res: http.IncomingMessage): Promise<ExportFileResult> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) {
    chunks.push(chunk as Buffer);
    if (chunks.length > 64) break; // an error body is small; anything else is not worth reading
  }
  const status = res.statusCode ?? 0;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const { error } = JSON.parse(text) as Partial<ErrorBody>;
    return {
      ok: false,
      status,
      code: error?.code ?? 'UNKNOWN',
      message: error?.message ?? `the server answered ${status}`,
    };
  } catch {
    return {
      ok: false,
      status,
      code: 'INVALID_ANSWER',
      message: `the server answered ${status}: ${text.slice(0, 200)}`,
    };
  }
}
