import { isUtf8 } from 'node:buffer';
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse as csvParse, type Info as CsvInfo } from 'csv-parse';
import type { ImportRun } from './import-run';
import { JsonArraySplitter, NdjsonSplitter } from './import-splitters';

/**
 * The import's stream, end to end with backpressure: request body → byte count (limit) → splitter and
 * row checks → COPY text in ~64 KB chunks → the COPY stream. When PostgreSQL reads slowly the request is
 * read slowly; memory holds about one chunk per stage, whatever the size of the body.
 */
export const COPY_CHUNK_CHARS = 64 * 1024;

/** Reading stopped on purpose (too many bad lines, a fatal parse error, too many rows): `run.stop` says why. */
export class ImportStopped extends Error {
  constructor() {
    super('import stopped');
  }
}

/** The body grew past the byte limit. */
export class ImportTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the body is larger than ${maxBytes} bytes`);
  }
}

/** The client went away before the body ended. */
export class ImportAborted extends Error {
  constructor() {
    super('the client aborted the upload');
  }
}

/** Counts the body's bytes and fails the stream past the limit. */
class ByteLimit extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) cb(new ImportTooLarge(this.maxBytes));
    else cb(null, chunk);
  }
}

/** Hands the run's COPY text downstream in chunks, and fails the stream once the run has stopped. */
abstract class CopyTextStage extends Transform {
  constructor(
    protected readonly run: ImportRun,
    opts: { writableObjectMode?: boolean } = {},
  ) {
    super(opts);
  }

  protected settle(cb: TransformCallback, final: boolean): void {
    if (this.run.stopped) {
      cb(new ImportStopped());
      return;
    }
    const text = this.run.takeCopyText(final ? 0 : COPY_CHUNK_CHARS);
    if (text !== null) this.push(Buffer.from(text, 'utf8'));
    cb();
  }
}

/** NDJSON or a JSON array: bytes in, COPY text out. */
class SplitRows extends CopyTextStage {
  private readonly splitter: NdjsonSplitter | JsonArraySplitter;

  constructor(run: ImportRun) {
    super(run);
    const Splitter = run.format === 'json' ? JsonArraySplitter : NdjsonSplitter;
    this.splitter = new Splitter(run, run.limits.maxRowBytes);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.splitter.write(chunk);
    this.settle(cb, false);
  }

  override _flush(cb: TransformCallback): void {
    this.splitter.end();
    this.settle(cb, true);
  }
}

interface CsvParsed {
  record: string[];
  info: CsvInfo;
}

/** CSV records from csv-parse in, COPY text out. */
class CsvRows extends CopyTextStage {
  constructor(run: ImportRun) {
    super(run, { writableObjectMode: true });
  }

  override _transform(parsed: CsvParsed, _enc: BufferEncoding, cb: TransformCallback): void {
    this.run.csvRecord(parsed.record, parsed.info.lines, parsed.info.empty_lines);
    this.settle(cb, false);
  }

  override _flush(cb: TransformCallback): void {
    this.settle(cb, true);
  }
}

/** Bytes at the end of `buf` that begin a UTF-8 sequence the next chunk completes. */
export function incompleteUtf8Tail(buf: Buffer): number {
  const n = buf.length;
  let i = n - 1;
  while (i >= 0 && n - i < 4 && (buf[i]! & 0xc0) === 0x80) i -= 1;
  if (i < 0) return 0;
  const lead = buf[i]!;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return n - i < needed ? n - i : 0;
}

/** The index of the first byte of `buf` that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > buf.length || !isUtf8(buf.subarray(i, i + len))) return i;
    i += len;
  }
  return -1;
}

/** CSV is parsed from bytes by csv-parse, which would turn bad bytes into U+FFFD silently: check first. */
class Utf8Check extends Transform {
  private carry: Buffer | null = null;
  private lines = 0;

  constructor(private readonly run: ImportRun) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const tail = incompleteUtf8Tail(buf);
    const whole = tail > 0 ? buf.subarray(0, buf.length - tail) : buf;
    this.carry = tail > 0 ? Buffer.from(buf.subarray(buf.length - tail)) : null;
    if (!isUtf8(whole)) {
      this.refuse(whole, firstInvalidUtf8(whole));
      cb(new ImportStopped());
      return;
    }
    this.lines += countNewlines(whole);
    cb(null, whole);
  }

  override _flush(cb: TransformCallback): void {
    if (this.carry) {
      this.refuse(this.carry, 0);
      cb(new ImportStopped());
      return;
    }
    cb();
  }

  private refuse(buf: Buffer, at: number): void {
    this.run.fatal(
      this.lines + 1 + countNewlines(buf.subarray(0, Math.max(at, 0))),
      'the line is not valid UTF-8',
    );
  }
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n += 1;
  return n;
}

const CSV_MESSAGES: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (a broken quote)',
  CSV_INVALID_CLOSING_QUOTE:
    'a quote inside a quoted field must be doubled ("") and a quoted field must end at a comma or the end of the line',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after the closing quote of a field',
};

/**
 * Streams `source` (the request) through the run into `sink` (the COPY stream). Resolves when the body
 * was read to its end or reading stopped on purpose (`run.stop`); rejects with ImportTooLarge,
 * ImportAborted, or whatever the sink failed with. The source itself is never destroyed here: after an
 * early stop the caller still answers on its connection.
 */
export async function streamImport(
  source: Readable,
  sink: Writable,
  run: ImportRun,
  maxBytes: number,
): Promise<{ bytes: number }> {
  const limit = new ByteLimit(maxBytes);
  const stages: Transform[] =
    run.format === 'csv'
      ? [
          new Utf8Check(run),
          csvParse({
            bom: true,
            info: true,
            skip_empty_lines: true,
            // both line ends, even mixed in one file (csv-parse would otherwise keep to the first it sees)
            record_delimiter: ['\r\n', '\n'],
            relax_column_count: true,
            max_record_size: run.limits.maxRowBytes,
          }),
          new CsvRows(run),
        ]
      : [new SplitRows(run)];
  const abort = () => limit.destroy(new ImportAborted());
  const onClose = () => {
    if (!source.readableEnded) abort();
  };
  source.on('error', abort);
  source.on('close', onClose);
  source.pipe(limit);
  try {
    await pipeline([limit, ...stages, sink]);
  } catch (err) {
    if (err instanceof ImportStopped && run.stopped) return { bytes: limit.bytes };
    if (err instanceof CsvError) {
      const message =
        err.code === 'CSV_MAX_RECORD_SIZE'
          ? `the record is longer than ${run.limits.maxRowBytes} characters`
          : (CSV_MESSAGES[err.code] ?? `not valid CSV: ${err.message}`);
      const emptyLines = (err as CsvError & { empty_lines?: number }).empty_lines;
      run.fatal(run.csvStartLine(emptyLines), message);
      return { bytes: limit.bytes };
    }
    throw err;
  } finally {
    source.unpipe(limit);
    source.off('error', abort);
    source.off('close', onClose);
  }
  return { bytes: limit.bytes };
}
