import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseLabelConfig, type LabelConfigInput } from '@enclave/contracts';
import { ImportRun, type ImportFormat } from './import-run';
import {
  COPY_CHUNK_CHARS,
  firstInvalidUtf8,
  ImportAborted,
  ImportTooLarge,
  incompleteUtf8Tail,
  streamImport,
} from './import-stream';

const TEXT: LabelConfigInput = {
  fields: [{ name: 'text', type: 'text' }],
  questions: [{ name: 'sentiment', type: 'single_choice', options: ['pos', 'neg'] }],
};

function config(input: LabelConfigInput = TEXT) {
  const r = parseLabelConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

/** Stands in for the COPY stream: keeps what it is sent, chunk by chunk. */
class CopySink extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void) {
    this.chunks.push(chunk);
    cb();
  }
  get lines(): string[] {
    return Buffer.concat(this.chunks).toString('utf8').split('\n').slice(0, -1);
  }
}

interface Options {
  maxRows?: number;
  maxBytes?: number;
  maxRowBytes?: number;
}

async function run(format: ImportFormat, body: string | Buffer | Iterable<Buffer>, opts: Options = {}) {
  const r = new ImportRun(format, config(), {
    maxRows: opts.maxRows ?? 1_000_000,
    maxRowBytes: opts.maxRowBytes ?? 1024 * 1024,
    maxDepth: 32,
  });
  const sink = new CopySink();
  const chunks = typeof body === 'string' || Buffer.isBuffer(body) ? [Buffer.from(body)] : body;
  const { bytes } = await streamImport(Readable.from(chunks), sink, r, opts.maxBytes ?? 1e12);
  return {
    run: r,
    sink,
    bytes,
    details: r.errors.details,
    stagedLines: sink.lines.map((l) => Number(l.split('\t')[0])),
  };
}

describe('streamImport: NDJSON', () => {
  it('stages each good line with its line number; blank lines count', async () => {
    const body = '{"data":{"text":"a"}}\n\n{"data":{"text":"b"},"externalId":"x","priority":3}\n';
    const { run: r, stagedLines, bytes, sink } = await run('ndjson', body);
    expect(stagedLines).toEqual([1, 3]);
    expect(sink.lines[1]).toBe('3\tx\t3\t{"text":"b"}\t\\N\t\\N\t\\N');
    expect(r).toMatchObject({ rows: 2, staged: 2, hasExternalIds: true, hasImages: false, stop: null });
    expect(bytes).toBe(Buffer.byteLength(body));
  });

  it('keeps staging good rows after a bad one, so the checks in SQL still see the whole file', async () => {
    const {
      stagedLines,
      details,
      run: r,
    } = await run('ndjson', '{"data":{"text":"a"}}\n{"data":{}}\n{"data":{"text":"c"}}\n');
    expect(stagedLines).toEqual([1, 3]);
    expect(details).toEqual([{ line: 2, path: 'data.text', message: 'required' }]);
    expect(r.stop).toBeNull();
  });

  it('writes COPY text in chunks of about 64 KB, not one write per row', async () => {
    const body = Array.from(
      { length: 5000 },
      (_, i) => `{"data":{"text":"row ${i} ${'x'.repeat(60)}"}}`,
    ).join('\n');
    const { sink, run: r } = await run('ndjson', body);
    expect(r.staged).toBe(5000);
    expect(sink.chunks.length).toBeLessThan(10);
    for (const c of sink.chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(COPY_CHUNK_CHARS);
  });

  it('stops reading at 100 bad lines: the rest of the body is never pulled', async () => {
    let pulled = 0;
    const kilobyte = Buffer.from('garbage\n'.repeat(128));
    const endless = (function* () {
      for (;;) {
        pulled += 1;
        yield kilobyte;
      }
    })();
    const { run: r, details } = await run('ndjson', endless);
    expect(r.stop).toBe('errors');
    expect(r.errors.badLines).toBe(100);
    expect(details.at(-1)!.line).toBe(100);
    // the first kilobyte holds the 100 bad lines; what else was pulled sits in the streams' buffers
    expect(pulled).toBeLessThan(200);
  });

  it('stops past the row limit', async () => {
    const { run: r } = await run('ndjson', '{"data":{"text":"a"}}\n'.repeat(5), { maxRows: 3 });
    expect(r.stop).toBe('rows');
  });

  it('fails past the byte limit, and when the client goes away', async () => {
    await expect(
      run('ndjson', [Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20)], { maxBytes: 1000 }),
    ).rejects.toBeInstanceOf(ImportTooLarge);
    const source = new Readable({ read() {} });
    source.push('{"data":{"text":"a"}}\n');
    const r = new ImportRun('ndjson', config(), { maxRows: 10, maxRowBytes: 1024, maxDepth: 32 });
    const done = streamImport(source, new CopySink(), r, 1e9);
    setTimeout(() => source.destroy(), 10);
    await expect(done).rejects.toBeInstanceOf(ImportAborted);
  });
});

describe('streamImport: JSON array', () => {
  it('numbers rows by element', async () => {
    const { stagedLines, details } = await run('json', '[{"data":{"text":"a"}},\n\n7,{"data":{"text":"c"}}]');
    expect(stagedLines).toEqual([1, 3]);
    expect(details).toEqual([
      { line: 2, message: 'a task must be an object such as {"data": {…}}, not a number' },
    ]);
  });

  it('stops at a cut-off array', async () => {
    const { run: r, details } = await run('json', '[{"data":{"text":"a"}},{"data"');
    expect(r.stop).toBe('fatal');
    expect(details).toEqual([
      { line: 2, message: 'the JSON array is cut off: the body ends inside element 2' },
    ]);
  });
});

describe('streamImport: CSV', () => {
  it('numbers records by the line they start on: header is line 1, quoted newlines and blank lines count', async () => {
    const body = 'text,priority\n"two\nlines",1\n\n\nfive,2\r\nsix,x\n';
    const { stagedLines, details, run: r } = await run('csv', body);
    expect(stagedLines).toEqual([2, 6]);
    expect(details).toEqual([{ line: 7, path: 'priority', message: 'must be an integer, not "x"' }]);
    expect(r.rows).toBe(3);
  });

  it('refuses a bad header at its line and stops', async () => {
    const { run: r, details } = await run('csv', '\ntext,nope\na,b\n');
    expect(r.stop).toBe('fatal');
    expect(details).toEqual([
      { line: 2, path: 'column 2', message: expect.stringMatching(/^header: unknown column "nope"/) },
    ]);
  });

  it('names the line where a broken quote starts, and stops', async () => {
    const { run: r, details } = await run('csv', 'text\nok\n\n"broken\nstill\nopen\n');
    expect(r.stop).toBe('fatal');
    expect(details).toEqual([{ line: 4, message: 'a quoted field is never closed (a broken quote)' }]);
    const misplaced = await run('csv', 'text\nok\nbad "quote"x"\n');
    expect(misplaced.details).toEqual([{ line: 3, message: expect.stringMatching(/quote/) }]);
  });

  it('refuses a record longer than the limit without holding it', async () => {
    const { details, run: r } = await run('csv', `text\n"${'x'.repeat(5000)}"\nok\n`, { maxRowBytes: 1024 });
    expect(r.stop).toBe('fatal');
    expect(details).toEqual([{ line: 2, message: 'the record is longer than 1024 characters' }]);
  });

  it('refuses bytes that are not UTF-8, naming the line; multi-byte characters split across chunks are fine', async () => {
    const good = Buffer.from('text\nünïcödé 🎉\n');
    const chunks = Array.from(good).map((b) => Buffer.from([b]));
    expect((await run('csv', chunks)).run.staged).toBe(1);
    const bad = Buffer.concat([
      Buffer.from('text\nfine\nbad '),
      Buffer.from([0xe2, 0x28, 0xa1]),
      Buffer.from('\n'),
    ]);
    expect((await run('csv', bad)).details).toEqual([{ line: 3, message: 'the line is not valid UTF-8' }]);
    expect(
      (await run('csv', Buffer.concat([Buffer.from('text\ncut '), Buffer.from([0xf0, 0x9f])]))).details,
    ).toEqual([{ line: 2, message: 'the line is not valid UTF-8' }]);
  });
});

describe('UTF-8 helpers', () => {
  it('finds an incomplete sequence at the end of a chunk', () => {
    const party = Buffer.from('🎉'); // 4 bytes
    expect(incompleteUtf8Tail(Buffer.from('abc'))).toBe(0);
    expect(incompleteUtf8Tail(party)).toBe(0);
    expect(incompleteUtf8Tail(party.subarray(0, 1))).toBe(1);
    expect(incompleteUtf8Tail(party.subarray(0, 3))).toBe(3);
    expect(incompleteUtf8Tail(Buffer.from('é').subarray(0, 1))).toBe(1);
  });

  it('finds the first invalid byte', () => {
    expect(firstInvalidUtf8(Buffer.from('ok é 🎉'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.concat([Buffer.from('ab'), Buffer.from([0xc0, 0x80])]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.concat([Buffer.from('ab'), Buffer.from([0xed, 0xa0, 0x80])]))).toBe(2); // a surrogate
  });
});
