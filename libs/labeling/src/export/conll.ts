import type { SpanValue } from '@enclave/contracts';
import {
  annotatorName,
  isPlainObject,
  labelsAcrossVersions,
  own,
  type ExportAnnotation,
  type ExportContext,
  type ExportRecord,
} from './record';
import type { ExportWriter } from './writer';

/**
 * CoNLL (2003 style, two tab-separated columns: token and BIO tag) for the span questions: one
 * document per (task, annotation, span question), so every annotator's reading of a text is there.
 *
 * ```
 * -DOCSTART- <task id> <annotator> <question> <status>
 *
 * Ada	B-PER
 * Lovelace	I-PER
 * wrote	O
 *
 * ```
 *
 * The header keeps the usual `-DOCSTART-` marker, which readers skip, and carries only values without
 * whitespace (the task's id rather than its external id). Tokens are the runs of non-whitespace code
 * points of the field's text; span offsets are code points too (SPEC §4), so an emoji is one character
 * and never split. A token takes a span's label when any of its code points lies in the span: `B-` on
 * the first token of the span, `I-` on the ones after. Where spans overlap, BIO can say only one: the
 * span that starts first (the longer one on a tie) keeps the token.
 */
export interface Token {
  text: string;
  /** Code point offsets, `end` exclusive. */
  start: number;
  end: number;
}

const WHITESPACE = /^\s$/u;

/** Whitespace tokenisation over code points. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let current: string[] = [];
  let start = 0;
  let cp = 0;
  for (const ch of text) {
    if (WHITESPACE.test(ch)) {
      if (current.length > 0) tokens.push({ text: current.join(''), start, end: cp });
      current = [];
    } else {
      if (current.length === 0) start = cp;
      current.push(ch);
    }
    cp++;
  }
  if (current.length > 0) tokens.push({ text: current.join(''), start, end: cp });
  return tokens;
}

function isSpan(v: unknown): v is SpanValue {
  return (
    isPlainObject(v) &&
    Number.isInteger(v.start) &&
    Number.isInteger(v.end) &&
    typeof v.label === 'string' &&
    (v.end as number) > (v.start as number)
  );
}

/** A BIO tag per token (`O`, `B-<label>`, `I-<label>`). */
export function bioTags(tokens: readonly Token[], spans: readonly SpanValue[]): string[] {
  const tags = tokens.map(() => 'O');
  const ordered = spans.filter(isSpan).sort((a, b) => a.start - b.start || b.end - a.end);
  for (const span of ordered) {
    let inside = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.end <= span.start) continue;
      if (t.start >= span.end) break;
      if (tags[i] !== 'O') {
        inside = false; // taken by an earlier span: this span restarts after it
        continue;
      }
      tags[i] = `${inside ? 'I' : 'B'}-${span.label}`;
      inside = true;
    }
  }
  return tags;
}

/** One document: the header line, a blank line, a line per token, a blank line. */
export function conllDocument(header: string, tokens: readonly Token[], tags: readonly string[]): string {
  let out = `-DOCSTART- ${header}\n\n`;
  for (let i = 0; i < tokens.length; i++) out += `${tokens[i]!.text}\t${tags[i]}\n`;
  return out + '\n';
}

export class ConllWriter implements ExportWriter {
  readonly passes = 1;
  /** Documents written. */
  rows = 0;
  private readonly questions: { name: string; field: string }[];

  constructor(ctx: ExportContext) {
    this.questions = [...labelsAcrossVersions(ctx.configs, 'spans')].map(([name, { field }]) => ({
      name,
      field,
    }));
  }

  head(): string {
    return '';
  }

  between(): string {
    return '';
  }

  tail(): string {
    return '';
  }

  write(recordJson: string): string {
    if (this.questions.length === 0) return '';
    const record = JSON.parse(recordJson) as ExportRecord;
    let out = '';
    for (const q of this.questions) {
      const text = own(record.data, q.field);
      if (typeof text !== 'string') continue;
      let tokens: Token[] | undefined;
      for (const a of record.annotations) {
        const spans = own(a.result, q.name);
        if (!Array.isArray(spans)) continue; // unanswered (an optional question)
        tokens ??= tokenize(text);
        out += conllDocument(header(record, a, q.name), tokens, bioTags(tokens, spans as SpanValue[]));
        this.rows++;
      }
    }
    return out;
  }
}

function header(record: ExportRecord, a: ExportAnnotation, question: string): string {
  // Values with whitespace would break a reader that splits the line: none of these has any.
  return [record.id, annotatorName(a).replace(/\s+/gu, '_'), question, a.status].join(' ');
}
