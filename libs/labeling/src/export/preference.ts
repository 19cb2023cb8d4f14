import type { ChatTurn, LabelConfig, ResponseCandidate } from '@enclave/contracts';
import {
  annotatorName,
  exportQuestions,
  isPlainObject,
  own,
  type ExportAnnotation,
  type ExportContext,
  type ExportRecord,
} from './record';
import type { ExportWriter } from './writer';

/**
 * Preference pairs for reward models and DPO-style trainers, one JSON object per line:
 * `{"prompt", "chosen", "rejected", …metadata}`.
 *
 * - The prompt is the task's first `text`, `markdown` or `chat` field in the configuration's order. A
 *   text or markdown prompt is a string and so are `chosen` and `rejected` (the responses' texts). A
 *   chat prompt is the conversation (`[{role, content}]`) and `chosen`/`rejected` are then one assistant
 *   turn each, the conversational form trainers such as TRL take. With no such field the prompt is "".
 * - A pairwise answer gives one pair: `a` prefers the field's first response over its second, `b` the
 *   reverse. A tie says nothing about preference and gives none.
 * - A ranking (best first) gives every ordered pair, each better response over each worse one:
 *   n(n-1)/2 pairs for n responses, as reward models are usually trained from rankings (InstructGPT).
 * - Each annotator's answer gives its own pairs; nothing is merged or voted.
 *
 * After the three trainer keys come `task_id`, `external_id`, `question`, `annotator`, `status`,
 * `chosen_id` and `rejected_id`, for tracing a pair back.
 */
export type Prompt = string | ChatTurn[];
type Completion = string | ChatTurn[];

export interface PreferencePair {
  prompt: Prompt;
  chosen: Completion;
  rejected: Completion;
  task_id: string;
  external_id: string | null;
  question: string;
  annotator: string;
  status: string;
  chosen_id: string;
  rejected_id: string;
}

/** The prompt of a task: its first text, markdown or chat field (see above). */
export function promptOf(config: LabelConfig | undefined, data: Record<string, unknown>): Prompt {
  const field = config?.fields.find((f) => f.type === 'text' || f.type === 'markdown' || f.type === 'chat');
  if (!field) return '';
  const value = own(data, field.name);
  if (field.type === 'chat') {
    return Array.isArray(value)
      ? value
          .filter(
            (t): t is ChatTurn =>
              isPlainObject(t) && typeof t.role === 'string' && typeof t.content === 'string',
          )
          .map((t) => ({ role: t.role, content: t.content }))
      : [];
  }
  return typeof value === 'string' ? value : '';
}

function candidates(value: unknown): ResponseCandidate[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (c): c is ResponseCandidate => isPlainObject(c) && typeof c.id === 'string' && typeof c.text === 'string',
  );
}

/** The (better, worse) pairs of one answer: a pairwise choice or a ranking of response ids. */
export function preferredPairs(
  type: 'pairwise' | 'ranking',
  answer: unknown,
  responses: readonly ResponseCandidate[],
): [ResponseCandidate, ResponseCandidate][] {
  if (type === 'pairwise') {
    const [a, b] = responses;
    if (!a || !b) return [];
    if (answer === 'a') return [[a, b]];
    if (answer === 'b') return [[b, a]];
    return [];
  }
  if (!Array.isArray(answer)) return [];
  const byId = new Map(responses.map((r) => [r.id, r]));
  const ranked = answer
    .map((id) => (typeof id === 'string' ? byId.get(id) : undefined))
    .filter((r) => r !== undefined);
  const pairs: [ResponseCandidate, ResponseCandidate][] = [];
  for (let i = 0; i < ranked.length; i++) {
    for (let j = i + 1; j < ranked.length; j++) pairs.push([ranked[i]!, ranked[j]!]);
  }
  return pairs;
}

export class PreferenceWriter implements ExportWriter {
  readonly passes = 1;
  /** Pairs written. */
  rows = 0;
  private readonly questions: { name: string; type: 'pairwise' | 'ranking'; field: string }[] = [];

  constructor(private readonly ctx: ExportContext) {
    for (const q of exportQuestions(ctx.configs)) {
      if (q.type === 'pairwise' || q.type === 'ranking')
        this.questions.push({ name: q.name, type: q.type, field: q.field });
    }
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
    const prompt = promptOf(this.ctx.configs[0], record.data);
    let out = '';
    for (const a of record.annotations) {
      for (const q of this.questions) {
        if (!Object.hasOwn(a.result, q.name)) continue;
        const pairs = preferredPairs(q.type, a.result[q.name], candidates(own(record.data, q.field)));
        for (const [better, worse] of pairs) {
          out += JSON.stringify(pairLine(record, a, q.name, prompt, better, worse)) + '\n';
          this.rows++;
        }
      }
    }
    return out;
  }
}

function completion(prompt: Prompt, text: string): Completion {
  return typeof prompt === 'string' ? text : [{ role: 'assistant', content: text }];
}

function pairLine(
  record: ExportRecord,
  a: ExportAnnotation,
  question: string,
  prompt: Prompt,
  better: ResponseCandidate,
  worse: ResponseCandidate,
): PreferencePair {
  return {
    prompt,
    chosen: completion(prompt, better.text),
    rejected: completion(prompt, worse.text),
    task_id: record.id,
    external_id: record.externalId,
    question,
    annotator: annotatorName(a),
    status: a.status,
    chosen_id: better.id,
    rejected_id: worse.id,
  };
}
