import type {
  BoxValue,
  ErrorDetail,
  LabelConfig,
  LabelQuestion,
  MultiChoiceQuestion,
  PairwiseChoice,
  SpanValue,
  TextQuestion,
} from '@enclave/contracts';
import { codePointLength, validateResult, type Issue } from '@enclave/labeling';

/** The editor's value: answers keyed by question name, as the API stores them. */
export type EditorValue = Record<string, unknown>;

function own(value: EditorValue, key: string): unknown {
  return Object.hasOwn(value, key) ? value[key] : undefined;
}

/**
 * The value with one answer set. An answer that says nothing — null, an empty string, no option
 * chosen — removes the key: the question is unanswered, and a required one is reported as such.
 * An empty list of spans or boxes stays: "nothing to mark here" is an answer.
 */
export function setAnswer(value: EditorValue, name: string, answer: unknown): EditorValue {
  const next = { ...value };
  if (answer === null || answer === undefined || answer === '') delete next[name];
  else next[name] = answer;
  return next;
}

/** A multi-choice answer with an option added or removed, kept in the options' order. */
export function toggleOption(q: MultiChoiceQuestion, current: unknown, option: string): string[] | null {
  const chosen = new Set(
    Array.isArray(current) ? current.filter((v): v is string => typeof v === 'string') : [],
  );
  if (chosen.has(option)) chosen.delete(option);
  else chosen.add(option);
  const next = q.options.filter((o) => chosen.has(o));
  return next.length > 0 ? next : null;
}

/** A single-choice (or pairwise, or rating) answer toggled: choosing the chosen one clears it. */
export function toggleSingle<T extends string | number>(current: unknown, choice: T): T | null {
  return current === choice ? null : choice;
}

/** The pairwise choices a question offers, in keyboard order. */
export function pairwiseChoices(allowTie: boolean): PairwiseChoice[] {
  return allowTie ? ['a', 'b', 'tie'] : ['a', 'b'];
}

export function spansOf(value: EditorValue, name: string): SpanValue[] {
  const v = own(value, name);
  return Array.isArray(v) ? (v as SpanValue[]) : [];
}

export function boxesOf(value: EditorValue, name: string): BoxValue[] {
  const v = own(value, name);
  return Array.isArray(v) ? (v as BoxValue[]) : [];
}

export function answerOf(value: EditorValue, name: string): unknown {
  return own(value, name);
}

/**
 * A task's starting value: the draft's answers for the questions that still exist, and an empty list
 * for every span and box question the draft does not answer — marking nothing is a valid answer, and
 * the annotator who finds nothing to mark should not have to say so twice.
 */
export function initialValue(config: LabelConfig, draft: EditorValue | null | undefined): EditorValue {
  const out: EditorValue = {};
  for (const q of config.questions) {
    const v = draft ? own(draft, q.name) : undefined;
    if (v !== undefined && v !== null) out[q.name] = v;
    else if (q.type === 'spans' || q.type === 'bboxes') out[q.name] = [];
  }
  return out;
}

/** The question a validation path is about: `entities[0].end` → `entities`; the empty path → null. */
export function questionOfPath(path: string): string | null {
  const p = path.replace(/^result(?=[.[]|$)\.?/, '');
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(p);
  return m ? m[0] : null;
}

export interface QuestionErrors {
  /** Messages per question name, for the question's own place in the editor. */
  byQuestion: Record<string, string[]>;
  /** Messages about the whole result, or about no question of this configuration. */
  general: string[];
}

function sentence(text: string): string {
  const t = text.trim();
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/**
 * Issues (from `validateResult`, or the API's 400 details with their `result.` prefix) placed under
 * their questions. The item a message is about (`entities[2].end`) stays in the message.
 */
export function errorsByQuestion(
  config: LabelConfig,
  issues: readonly (Issue | ErrorDetail)[],
): QuestionErrors {
  const names = new Set(config.questions.map((q) => q.name));
  const out: QuestionErrors = { byQuestion: {}, general: [] };
  for (const issue of issues) {
    const path = issue.path ?? '';
    const name = questionOfPath(path);
    if (name && names.has(name)) {
      const inner = path
        .replace(/^result\.?/, '')
        .slice(name.length)
        .replace(/^\./, '');
      const message = inner ? `${inner}: ${issue.message}` : issue.message;
      (out.byQuestion[name] ??= []).push(
        sentence(message === 'required' ? 'this question needs an answer' : message),
      );
    } else {
      const where = path.replace(/^result(?=[.[]|$)\.?/, '');
      out.general.push(sentence(where ? `${where}: ${issue.message}` : issue.message));
    }
  }
  return out;
}

/** The client-side check before a submission: the same `validateResult` the API runs. */
export function checkBeforeSubmit(
  config: LabelConfig,
  data: EditorValue,
  value: EditorValue,
): QuestionErrors | null {
  const issues = validateResult(config, data, value);
  return issues.length === 0 ? null : errorsByQuestion(config, issues);
}

/** What the length counter under a free-text answer says, in code points like the API counts. */
export function textLengthStatus(
  q: TextQuestion,
  value: unknown,
): {
  count: number;
  state: 'ok' | 'short' | 'long';
  text: string;
} {
  const count = typeof value === 'string' ? codePointLength(value) : 0;
  const state = count > q.maxLength ? 'long' : count < q.minLength && count > 0 ? 'short' : 'ok';
  const bounds =
    q.minLength > 0
      ? `${q.minLength}–${q.maxLength.toLocaleString('en')}`
      : `up to ${q.maxLength.toLocaleString('en')}`;
  return { count, state, text: `${count.toLocaleString('en')} characters (${bounds})` };
}

/** A question's heading: its description, or its name made readable. */
export function questionTitle(q: LabelQuestion): string {
  return q.description?.trim() || q.name.replace(/_/g, ' ');
}
