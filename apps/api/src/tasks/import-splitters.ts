import { isUtf8 } from 'node:buffer';

/**
 * Byte-level splitters for the JSON formats: they cut an upload into rows (NDJSON lines, elements of a
 * top-level JSON array) as it streams, hand each row's text to a sink, and hold at most one row's bytes
 * (up to `maxRowBytes`) at a time. Parsing a row is the sink's business (JSON.parse, once per row).
 */
export interface RowTextSink {
  /** One row's text: valid UTF-8, byte order mark removed. Blank NDJSON lines never arrive. */
  rowText(line: number, text: string): void;
  /** A row that cannot be read (too long, not UTF-8); reading goes on with the next one. */
  unreadableRow(line: number, message: string): void;
  /** The body cannot be read past this point (a JSON array cut off, text after its end). */
  fatal(line: number, message: string): void;
  /** True once the sink wants no more rows: the splitter stops at once. */
  readonly stopped: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const REPLACEMENT = '\uFFFD';
const BOM = '\uFEFF';

/**
 * Decodes one row's bytes, strictly: a row that is not UTF-8 is refused rather than silently changed.
 * The common case (no U+FFFD in the decoded text) costs no second pass.
 */
function decodeRow(buf: Buffer, start: number, end: number): string | null {
  const text = buf.toString('utf8', start, end);
  if (text.includes(REPLACEMENT) && !isUtf8(buf.subarray(start, end))) return null;
  return text;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MB` : `${Math.round(n / 1024)} KB`;
}

/** Only spaces, tabs and carriage returns: a blank line, skipped but counted. */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== CR) return false;
  }
  return true;
}

/** Newline-delimited JSON: one row per line (LF or CRLF), blank lines skipped, lines numbered from 1. */
export class NdjsonSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** The current line grew past the limit: it was reported, its remaining bytes are dropped. */
  private skipping = false;
  private line = 0;

  constructor(
    private readonly sink: RowTextSink,
    private readonly maxRowBytes: number,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    while (!this.sink.stopped) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.hold(chunk, start, chunk.length);
        return;
      }
      this.line += 1;
      if (this.skipping) {
        this.skipping = false;
      } else if (this.partBytes === 0) {
        this.emit(chunk, start, nl);
      } else {
        this.hold(chunk, start, nl);
        if (!this.skipping) this.emitHeld();
        this.skipping = false;
      }
      start = nl + 1;
    }
  }

  end(): void {
    if (this.sink.stopped) return;
    if (this.partBytes > 0 || this.skipping) {
      // the last line, without a final newline
      this.line += 1;
      if (!this.skipping) this.emitHeld();
    }
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
  }

  private hold(chunk: Buffer, start: number, end: number): void {
    if (this.skipping || end === start) return;
    if (this.partBytes + (end - start) > this.maxRowBytes) {
      this.sink.unreadableRow(this.line + 1, `the line is longer than ${formatBytes(this.maxRowBytes)}`);
      this.parts = [];
      this.partBytes = 0;
      this.skipping = true;
      return;
    }
    this.parts.push(chunk.subarray(start, end));
    this.partBytes += end - start;
  }

  private emitHeld(): void {
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    this.emit(buf, 0, buf.length);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end -= 1;
    if (end - start > this.maxRowBytes) {
      this.sink.unreadableRow(this.line, `the line is longer than ${formatBytes(this.maxRowBytes)}`);
      return;
    }
    let text = decodeRow(buf, start, end);
    if (text === null) {
      this.sink.unreadableRow(this.line, 'the line is not valid UTF-8');
      return;
    }
    if (this.line === 1 && text.startsWith(BOM)) text = text.slice(1);
    if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && isBlank(text))) return;
    this.sink.rowText(this.line, text);
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

const enum ArrayState {
  /** Before the opening bracket. */
  Start,
  /** After `[`: an element or `]`. */
  First,
  /** After `,`: an element. */
  Next,
  /** Inside an element. */
  Element,
  /** After an element: `,` or `]`. */
  After,
  /** After the closing bracket: only whitespace. */
  Done,
}

const enum ElementKind {
  Composite,
  String,
  Scalar,
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === LF || c === CR || c === 0x09;
}

/**
 * A top-level JSON array, element by element: a scanner tracks strings and bracket depth only to find
 * where each element ends; the element's own text is then parsed by the sink with JSON.parse, which is
 * the real (and strict) parser. Elements are numbered from 1. A body that is not an array, an array cut
 * off before its `]`, or text after it is fatal: nothing past that point can be read as elements.
 */
export class JsonArraySplitter {
  private state = ArrayState.Start;
  private kind = ElementKind.Composite;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private tooLong = false;
  private index = 0;
  private sawBytes = false;
  /** Bytes of a leading UTF-8 byte order mark matched so far (it may arrive split across chunks). */
  private bomMatched = 0;

  constructor(
    private readonly sink: RowTextSink,
    private readonly maxRowBytes: number,
  ) {}

  write(chunk: Buffer): void {
    let i = 0;
    let elementStart = this.state === ArrayState.Element ? 0 : -1;
    const n = chunk.length;
    while (i < n && !this.sink.stopped) {
      const c = chunk[i]!;
      switch (this.state) {
        case ArrayState.Start:
          if (!this.sawBytes && this.bomMatched < 3 && c === UTF8_BOM[this.bomMatched]) {
            this.bomMatched += 1;
            break;
          }
          if (isWhitespace(c) && (this.bomMatched === 0 || this.bomMatched === 3)) break;
          this.sawBytes = true;
          if (c !== 0x5b /* [ */ || (this.bomMatched > 0 && this.bomMatched < 3)) {
            this.sink.fatal(1, 'the body must be a JSON array of tasks ([{"data": …}, …])');
            return;
          }
          this.state = ArrayState.First;
          break;
        case ArrayState.First:
        case ArrayState.Next:
          if (isWhitespace(c)) break;
          if (c === 0x5d /* ] */) {
            if (this.state === ArrayState.Next) {
              this.sink.fatal(this.index + 1, 'a comma before "]": the array has no element here');
              return;
            }
            this.state = ArrayState.Done;
            break;
          }
          if (c === 0x2c /* , */) {
            this.sink.fatal(this.index + 1, 'an element is missing before ","');
            return;
          }
          this.beginElement(c);
          elementStart = i;
          break;
        case ArrayState.Element: {
          const end = this.scanElement(chunk, i);
          if (end === -1) {
            i = n;
            continue;
          }
          this.endElement(chunk, elementStart, end);
          elementStart = -1;
          i = end;
          continue;
        }
        case ArrayState.After:
          if (isWhitespace(c)) break;
          if (c === 0x2c) this.state = ArrayState.Next;
          else if (c === 0x5d) this.state = ArrayState.Done;
          else {
            this.sink.fatal(this.index + 1, `expected "," or "]" after element ${this.index}`);
            return;
          }
          break;
        case ArrayState.Done:
          if (isWhitespace(c)) break;
          this.sink.fatal(this.index + 1, 'unexpected text after the end of the array');
          return;
      }
      i += 1;
    }
    if (elementStart !== -1 && this.state === ArrayState.Element) this.hold(chunk, elementStart, n);
  }

  end(): void {
    if (this.sink.stopped) return;
    switch (this.state) {
      case ArrayState.Start:
        // an empty (or blank) body: the caller reports that, it is no element's fault
        if (this.sawBytes || this.bomMatched % 3 !== 0)
          this.sink.fatal(1, 'the body must be a JSON array of tasks');
        return;
      case ArrayState.Done:
        return;
      case ArrayState.Element:
        this.sink.fatal(
          this.index + 1,
          `the JSON array is cut off: the body ends inside element ${this.index + 1}`,
        );
        return;
      default:
        this.sink.fatal(this.index + 1, 'the JSON array is cut off: the body ends before its closing "]"');
    }
  }

  private beginElement(c: number): void {
    this.state = ArrayState.Element;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.tooLong = false;
    this.parts = [];
    this.partBytes = 0;
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      this.kind = ElementKind.Composite;
      this.depth = 1;
    } else if (c === 0x22 /* " */) {
      this.kind = ElementKind.String;
      this.inString = true;
    } else {
      this.kind = ElementKind.Scalar;
    }
  }

  private scalarEndsAt(c: number): boolean {
    return isWhitespace(c) || c === 0x2c || c === 0x5d;
  }

  /**
   * Scans an element from `from` (its first byte was consumed by beginElement); returns the index just
   * past its end (a scalar ends before the delimiter that follows it), or -1 when the chunk ends first.
   */
  private scanElement(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let i = from;
    if (this.kind === ElementKind.Scalar) {
      for (; i < n; i++) if (this.scalarEndsAt(chunk[i]!)) return i;
      return -1;
    }
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.kind === ElementKind.String) return i + 1;
        }
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth += 1;
      else if (c === 0x7d || c === 0x5d) {
        this.depth -= 1;
        if (this.depth === 0) return i + 1;
      }
    }
    return -1;
  }

  private hold(chunk: Buffer, start: number, end: number): void {
    if (this.tooLong || end === start) return;
    if (this.partBytes + (end - start) > this.maxRowBytes) {
      this.tooLong = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    this.parts.push(chunk.subarray(start, end));
    this.partBytes += end - start;
  }

  private endElement(chunk: Buffer, start: number, end: number): void {
    this.index += 1;
    this.state = ArrayState.After;
    if (this.tooLong || this.partBytes + (end - start) > this.maxRowBytes) {
      this.parts = [];
      this.partBytes = 0;
      this.sink.unreadableRow(this.index, `the element is longer than ${formatBytes(this.maxRowBytes)}`);
      return;
    }
    let buf = chunk;
    if (this.partBytes > 0) {
      this.parts.push(chunk.subarray(start, end));
      buf = Buffer.concat(this.parts, this.partBytes + (end - start));
      start = 0;
      end = buf.length;
    }
    this.parts = [];
    this.partBytes = 0;
    const text = decodeRow(buf, start, end);
    if (text === null) this.sink.unreadableRow(this.index, 'the element is not valid UTF-8');
    else this.sink.rowText(this.index, text);
  }
}
