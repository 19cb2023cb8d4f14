import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import typeIs from 'type-is';
import { AppError } from '../core/errors/app-error';
import { HEAD_BYTES } from './image-sniff';

/** A request body as the receiver reads it: the HTTP request, or a stream standing in for it in tests. */
export type UploadSource = Readable & { headers: IncomingHttpHeaders; complete?: boolean };

export interface UploadOptions {
  /** The largest file accepted, in bytes. */
  maxBytes: number;
  /** Where the file is written while it arrives: `<dataDir>/assets/tmp`. */
  tmpDir: string;
  /**
   * The whole body must have arrived by then. The request's tenant transaction is open while it
   * arrives, and PostgreSQL ends a transaction left idle for 60 s: a slow upload gets a clear 400
   * instead of a dead transaction, and cannot hold a pooled connection for long.
   */
  deadlineMs: number;
}

/** One file part, written to a temporary file of its own and hashed on the way. */
export interface ReceivedUpload {
  tmpPath: string;
  sha256: string;
  byteSize: number;
  /** The first HEAD_BYTES bytes, for recognising the format and reading the size. */
  head: Buffer;
  /** The client's name for the file, cleaned up, kept for display only; never used as a path. */
  filename: string | null;
}

export const UPLOAD_DEADLINE_MS = 45_000;

/** Room for the multipart framing and a few small fields around the file itself. */
const MULTIPART_ALLOWANCE = 64 * 1024;

const PART_HINT = 'send the image as multipart/form-data with one part named "file"';

export function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `file: larger than the limit of ${maxBytes} bytes`, [
    { path: 'file', message: `larger than ${maxBytes} bytes` },
  ]);
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path: 'file', message }]);
}

/** The client's file name reduced to a label: no directories, no control characters, 255 at most. */
export function cleanFilename(name: string | undefined): string | null {
  if (!name) return null;
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const cleaned = Array.from(base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim())
    .slice(0, 255)
    .join('');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? null : cleaned;
}

/**
 * Streams the one file part of a multipart/form-data body to a new temporary file (mode 0600),
 * hashing it and keeping its first bytes, never holding the whole file in memory. Refuses a body
 * that is not multipart (415), a file over the limit (413, early when Content-Length already says
 * so), a body without exactly one file part named `file`, extra parts, a malformed or cut-off body
 * and a body that arrives too slowly (400). Whatever fails, the temporary file is gone afterwards.
 */
export async function receiveImageUpload(req: UploadSource, opts: UploadOptions): Promise<ReceivedUpload> {
  const contentType = req.headers['content-type'];
  if (!contentType || !typeIs.is(contentType, ['multipart/form-data'])) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${PART_HINT}, not ${contentType ?? 'a body without a content type'}`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes + MULTIPART_ALLOWANCE)
    throw tooLarge(opts.maxBytes);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // One byte over the limit tells "too large" from "exactly the limit" (busboy reports a file
      // that reaches the limit as truncated).
      limits: {
        files: 1,
        fileSize: opts.maxBytes + 1,
        parts: 8,
        fields: 6,
        fieldSize: 4096,
        fieldNameSize: 100,
        headerPairs: 16,
      },
    });
  } catch (err) {
    throw invalid(`the multipart body cannot be read: ${(err as Error).message}`);
  }
  await fs.mkdir(opts.tmpDir, { recursive: true, mode: 0o700 });

  return new Promise<ReceivedUpload>((resolve, reject) => {
    let problem: AppError | undefined;
    let saving: Promise<ReceivedUpload> | undefined;
    let fileStream: Readable | undefined;
    let settled = false;

    const settle = (err?: AppError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      problem ??= err;
      if (problem) {
        // Stop parsing and let the rest of the body drain unread, so the answer reaches the client.
        req.unpipe(parser);
        req.resume();
        fileStream?.destroy(problem);
      }
      void finish();
    };

    const finish = async () => {
      const saved: ReceivedUpload | Error | undefined = saving
        ? await saving.then(
            (r) => r,
            (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
          )
        : undefined;
      if (problem) {
        if (saved && !(saved instanceof Error)) await fs.rm(saved.tmpPath, { force: true });
        return reject(problem);
      }
      if (saved === undefined) return reject(invalid(`file: required; ${PART_HINT}`));
      if (saved instanceof AppError) return reject(saved);
      // Busboy fails the file stream with the body's own error (cut off, malformed); a write error
      // (a full disk) is the server's and stays a 500.
      if (saved instanceof Error)
        return reject(
          isBodyError(saved) ? invalid(`the multipart body cannot be read: ${saved.message}`) : saved,
        );
      resolve(saved);
    };

    const timer = setTimeout(
      () => settle(invalid(`the upload did not finish within ${Math.round(opts.deadlineMs / 1000)} seconds`)),
      opts.deadlineMs,
    );

    parser.on('file', (name, stream, info) => {
      if (settled || name !== 'file' || saving) {
        if (!settled) problem ??= invalid(`${PART_HINT}; got a file part named "${name.slice(0, 100)}"`);
        // Drained unread; busboy fails a part that is cut off, which must not go unheard.
        stream.on('error', () => undefined);
        stream.resume();
        return;
      }
      fileStream = stream;
      stream.on('limit', () => settle(tooLarge(opts.maxBytes)));
      saving = saveToTemp(stream, opts.tmpDir, opts.maxBytes).then((r) => ({
        ...r,
        filename: cleanFilename(info.filename),
      }));
      // Settled in finish(); this keeps an early failure from counting as unhandled meanwhile.
      saving.catch(() => undefined);
    });
    parser.on('field', (name) => {
      // A part without a filename is a field to busboy: say what to change rather than "missing".
      if (name === 'file')
        problem ??= invalid('file: send it as a file part, with a filename in its Content-Disposition');
    });
    parser.on('filesLimit', () => {
      problem ??= invalid(`${PART_HINT}; got more than one file`);
    });
    parser.on('partsLimit', () => settle(invalid(`${PART_HINT}; the body has too many parts`)));
    parser.on('fieldsLimit', () => settle(invalid(`${PART_HINT}; the body has too many fields`)));
    parser.on('error', (err: Error) => settle(invalid(`the multipart body cannot be read: ${err.message}`)));
    parser.on('close', () => settle());
    req.on('error', () => settle(invalid('the request was aborted')));
    req.on('close', () => {
      if (req.complete === false) settle(invalid('the request was aborted'));
    });
    req.pipe(parser);
  });
}

/** Errors of the body itself, as opposed to the file system's (which carry an errno code). */
function isBodyError(err: Error): boolean {
  return (
    typeof (err as NodeJS.ErrnoException).code !== 'string' ||
    (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE'
  );
}

/** Writes a stream to a new file in `dir`, hashing it; the file is removed when anything fails. */
async function saveToTemp(
  stream: Readable,
  dir: string,
  maxBytes: number,
): Promise<Omit<ReceivedUpload, 'filename'>> {
  const tmpPath = path.join(dir, randomBytes(16).toString('hex'));
  const hash = createHash('sha256');
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let byteSize = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      byteSize += chunk.length;
      if (headLength < HEAD_BYTES) {
        // A copy: busboy's chunks may be views into the request's buffers.
        const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - headLength));
        headChunks.push(part);
        headLength += part.length;
      }
      done(null, chunk);
    },
  });
  const out = createWriteStream(tmpPath, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(stream, tap, out);
    // The row that points at these bytes commits after this: make sure they are on disk first.
    const written = await fs.open(tmpPath, 'r');
    try {
      await written.datasync();
    } finally {
      await written.close();
    }
  } catch (err) {
    // A stream stopped before its file was opened still opens (creates) it afterwards: remove the
    // file only once the stream is closed, or an empty file is left behind.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await fs.rm(tmpPath, { force: true });
    throw err;
  }
  if ((stream as Readable & { truncated?: boolean }).truncated) {
    await fs.rm(tmpPath, { force: true });
    throw tooLarge(maxBytes);
  }
  return { tmpPath, sha256: hash.digest('hex'), byteSize, head: Buffer.concat(headChunks) };
}
