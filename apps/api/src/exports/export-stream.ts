import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { ExportWriter } from '@enclave/labeling';
import type { ExportRow } from './export-query';

/** Output is handed on in chunks of about this size: one socket write per chunk, not one per record. */
export const EXPORT_CHUNK_BYTES = 64 * 1024;

/**
 * Rows of the export statement in, bytes of the format out: runs each row through the format's writer,
 * batches the text into chunks, and counts and hashes exactly the bytes it hands on, so the audit event
 * can name the SHA-256 of what the client received. `onFirstChunk` runs once, just before the first
 * byte leaves (the place to set the response's headers: until then a failure can still be answered
 * with a JSON error).
 */
export class ExportTransform extends Transform {
  /** Bytes handed on so far. */
  bytes = 0;
  /** Task records read (in the last pass). */
  tasks = 0;
  /** Annotations in those records. */
  annotations = 0;
  private readonly hash = createHash('sha256');
  private pending = '';
  private pass = 0;
  private started = false;

  constructor(
    private readonly writer: ExportWriter,
    private readonly onFirstChunk: () => void = () => undefined,
  ) {
    super({ writableObjectMode: true, readableHighWaterMark: EXPORT_CHUNK_BYTES * 4 });
  }

  /** The SHA-256 of every byte handed on, hex; call once, after the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }

  override _transform(row: ExportRow, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.pass === 0) this.pending += this.writer.head();
      if (row.pass !== this.pass) {
        if (row.pass < this.pass || row.pass > this.writer.passes) {
          throw new Error(`export rows out of order: pass ${row.pass} after pass ${this.pass}`);
        }
        if (this.pass > 0) this.pending += this.writer.between();
        this.pass = row.pass;
      }
      this.pending += this.writer.write(row.record, row.pass);
      if (row.pass === this.writer.passes) {
        this.tasks++;
        this.annotations += row.annotations;
      }
      if (this.pending.length >= EXPORT_CHUNK_BYTES) this.handOn();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.pass === 0) {
        this.pending += this.writer.head();
        this.pass = 1;
      }
      // An export with no records still passes through every pass.
      for (; this.pass < this.writer.passes; this.pass++) this.pending += this.writer.between();
      this.pending += this.writer.tail();
      this.handOn();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private handOn(): void {
    if (this.pending === '') return;
    const chunk = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    if (!this.started) {
      this.started = true;
      this.onFirstChunk();
    }
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.push(chunk);
  }
}
