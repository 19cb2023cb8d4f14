import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonArraySplitter, NdjsonSplitter, type RowTextSink } from './import-splitters';

type Event = ['row', number, string] | ['unreadable', number, string] | ['fatal', number, string];

class Recorder implements RowTextSink {
  events: Event[] = [];
  stopAfter = Infinity;
  get stopped(): boolean {
    return this.events.length >= this.stopAfter || this.events.some((e) => e[0] === 'fatal');
  }
  rowText(line: number, text: string): void {
    this.events.push(['row', line, text]);
  }
  unreadableRow(line: number, message: string): void {
    this.events.push(['unreadable', line, message]);
  }
  fatal(line: number, message: string): void {
    this.events.push(['fatal', line, message]);
  }
}

/** Splits `body` fed in the given chunks. */
function split(kind: 'ndjson' | 'json', chunks: Buffer[], maxRowBytes = 1024): Event[] {
  const sink = new Recorder();
  const splitter =
    kind === 'ndjson' ? new NdjsonSplitter(sink, maxRowBytes) : new JsonArraySplitter(sink, maxRowBytes);
  for (const c of chunks) splitter.write(c);
  splitter.end();
  return sink.events;
}

const whole = (kind: 'ndjson' | 'json', body: string | Buffer, maxRowBytes?: number) =>
  split(kind, [Buffer.isBuffer(body) ? body : Buffer.from(body)], maxRowBytes);

/** The body cut at the given offsets. */
function cutAt(body: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (body.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(body.subarray(prev, p));
    prev = p;
  }
  out.push(body.subarray(prev));
  return out;
}

describe('NdjsonSplitter', () => {
  it('numbers lines from 1, skips blank lines but counts them, accepts CRLF and a last line without newline', () => {
    expect(whole('ndjson', '{"a":1}\r\n\n   \n{"b":2}\n{"c":3}')).toEqual([
      ['row', 1, '{"a":1}'],
      ['row', 4, '{"b":2}'],
      ['row', 5, '{"c":3}'],
    ]);
  });

  it('drops a byte order mark at the start', () => {
    expect(whole('ndjson', '\uFEFF{"a":1}\n')).toEqual([['row', 1, '{"a":1}']]);
  });

  it('reports a line longer than the limit once, without holding it, and goes on', () => {
    const long = 'x'.repeat(5000);
    expect(
      split(
        'ndjson',
        [
          Buffer.from(`{"a":1}\n${long.slice(0, 2000)}`),
          Buffer.from(long),
          Buffer.from(`${long}\n{"b":2}\n`),
        ],
        1024,
      ),
    ).toEqual([
      ['row', 1, '{"a":1}'],
      ['unreadable', 2, 'the line is longer than 1 KB'],
      ['row', 3, '{"b":2}'],
    ]);
    expect(whole('ndjson', `${'y'.repeat(2000)}\n{"c":3}`, 1024)).toEqual([
      ['unreadable', 1, 'the line is longer than 1 KB'],
      ['row', 2, '{"c":3}'],
    ]);
  });

  it('refuses a line that is not UTF-8 but keeps a real U+FFFD', () => {
    const body = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n{"b":"\uFFFD"}\n'),
    ]);
    expect(whole('ndjson', body)).toEqual([
      ['unreadable', 1, 'the line is not valid UTF-8'],
      ['row', 2, '{"b":"\uFFFD"}'],
    ]);
  });

  it('stops as soon as the sink says so', () => {
    const sink = new Recorder();
    sink.stopAfter = 2;
    const s = new NdjsonSplitter(sink, 1024);
    s.write(Buffer.from('1\n2\n3\n4\n'));
    s.end();
    expect(sink.events).toHaveLength(2);
  });

  it('gives the same rows however the body is cut into chunks, multi-byte characters included', () => {
    const body = Buffer.from('{"t":"héllo 🎉"}\r\n\n{"t":"日本語"}\n  \n{"t":"x"}');
    const expected = whole('ndjson', body);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (offsets) => {
        expect(split('ndjson', cutAt(body, offsets))).toEqual(expected);
      }),
    );
  });
});

describe('JsonArraySplitter', () => {
  it('hands over each element of a top-level array, numbered from 1', () => {
    expect(whole('json', ' [ {"a":[1,{"b":"]}"}]} ,\n "str\\"ing" , 12.5e3,true,null, [] ] \n')).toEqual([
      ['row', 1, '{"a":[1,{"b":"]}"}]}'],
      ['row', 2, '"str\\"ing"'],
      ['row', 3, '12.5e3'],
      ['row', 4, 'true'],
      ['row', 5, 'null'],
      ['row', 6, '[]'],
    ]);
  });

  it('takes an empty array and a byte order mark', () => {
    expect(whole('json', '\uFEFF[]')).toEqual([]);
    expect(whole('json', '')).toEqual([]);
    expect(whole('json', '  \n')).toEqual([]);
  });

  it('refuses a body that is not an array', () => {
    expect(whole('json', '{"data":{}}')).toEqual([
      ['fatal', 1, expect.stringMatching(/must be a JSON array/)],
    ]);
  });

  it('refuses an array cut off inside an element or before its end', () => {
    expect(whole('json', '[{"a":1},{"b":')).toEqual([
      ['row', 1, '{"a":1}'],
      ['fatal', 2, 'the JSON array is cut off: the body ends inside element 2'],
    ]);
    expect(whole('json', '[{"a":1}')).toEqual([
      ['row', 1, '{"a":1}'],
      ['fatal', 2, 'the JSON array is cut off: the body ends before its closing "]"'],
    ]);
    expect(whole('json', '[{"a":1},')).toEqual([
      ['row', 1, '{"a":1}'],
      ['fatal', 2, expect.stringMatching(/cut off/)],
    ]);
    expect(whole('json', '[1')).toEqual([['fatal', 1, expect.stringMatching(/inside element 1/)]]);
  });

  it('refuses missing commas, trailing commas and text after the array', () => {
    expect(whole('json', '[{"a":1} {"b":2}]')).toEqual([
      ['row', 1, '{"a":1}'],
      ['fatal', 2, 'expected "," or "]" after element 1'],
    ]);
    expect(whole('json', '[{"a":1},]')).toEqual([
      ['row', 1, '{"a":1}'],
      ['fatal', 2, expect.stringMatching(/comma/)],
    ]);
    expect(whole('json', '[,{"a":1}]')).toEqual([['fatal', 1, expect.stringMatching(/missing/)]]);
    expect(whole('json', '[{"a":1}] x')).toEqual([
      ['row', 1, '{"a":1}'],
      ['fatal', 2, 'unexpected text after the end of the array'],
    ]);
  });

  it('reports an element longer than the limit without holding it, and goes on', () => {
    const big = `{"t":"${'x'.repeat(3000)}"}`;
    expect(split('json', cutAt(Buffer.from(`[${big}, {"a":1}]`), [100, 1500, 2900]), 1024)).toEqual([
      ['unreadable', 1, 'the element is longer than 1 KB'],
      ['row', 2, '{"a":1}'],
    ]);
  });

  it('gives the same elements however the body is cut into chunks', () => {
    const body = Buffer.from(
      '\uFEFF[ {"t":"a \\" ] } [ 🎉"}, "x\\\\", 123 ,\n{"n":{"m":[1,2,{"o":"日本"}]}}, false]',
    );
    const expected = whole('json', body);
    expect(expected).toHaveLength(5);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (offsets) => {
        expect(split('json', cutAt(body, offsets))).toEqual(expected);
      }),
    );
  });
});
