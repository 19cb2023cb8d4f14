import type { LabelConfig, LabelQuestion } from '@enclave/contracts';
import { quoteList } from './issues';

/**
 * Every change from `prev` to `next` that could make an existing annotation invalid under the new
 * config, as one sentence each, in the order of `prev`'s fields and questions. Empty when the change
 * is safe: adding fields, questions, options or labels, widening a range, relaxing a bound or making a
 * question optional never invalidates an answer given before.
 */
export function breakingConfigChanges(prev: LabelConfig, next: LabelConfig): string[] {
  const changes: string[] = [];
  const nextFields = new Map(next.fields.map((f) => [f.name, f]));
  for (const field of prev.fields) {
    const now = nextFields.get(field.name);
    if (now === undefined) changes.push(`field "${field.name}" was removed`);
    else if (now.type !== field.type)
      changes.push(`field "${field.name}" changed type from ${field.type} to ${now.type}`);
  }
  const nextQuestions = new Map(next.questions.map((q) => [q.name, q]));
  for (const question of prev.questions) {
    const now = nextQuestions.get(question.name);
    if (now === undefined) changes.push(`question "${question.name}" was removed`);
    else changes.push(...questionChanges(question, now));
  }
  return changes;
}

function questionChanges(prev: LabelQuestion, next: LabelQuestion): string[] {
  const name = `question "${prev.name}"`;
  if (prev.type !== next.type) return [`${name} changed type from ${prev.type} to ${next.type}`];
  const changes: string[] = [];
  if (!prev.required && next.required) changes.push(`${name} was made required`);
  if (prev.field !== undefined && next.field !== undefined && prev.field !== next.field) {
    changes.push(`${name} now reads field "${next.field}" instead of "${prev.field}"`);
  }
  if ((prev.type === 'single_choice' || prev.type === 'multi_choice') && next.type === prev.type) {
    const removed = prev.options.filter((o) => !next.options.includes(o));
    if (removed.length > 0)
      changes.push(`${name} lost ${removed.length === 1 ? 'option' : 'options'} ${quoteList(removed, 20)}`);
  }
  if ((prev.type === 'spans' || prev.type === 'bboxes') && next.type === prev.type) {
    const removed = prev.labels.filter((l) => !next.labels.includes(l));
    if (removed.length > 0)
      changes.push(`${name} lost ${removed.length === 1 ? 'label' : 'labels'} ${quoteList(removed, 20)}`);
  }
  if (prev.type === 'rating' && next.type === 'rating' && (next.min > prev.min || next.max < prev.max)) {
    changes.push(`${name} rating range narrowed from ${prev.min}–${prev.max} to ${next.min}–${next.max}`);
  }
  if (prev.type === 'text' && next.type === 'text') {
    if (next.minLength > prev.minLength)
      changes.push(`${name} minimum length raised from ${prev.minLength} to ${next.minLength}`);
    if (next.maxLength < prev.maxLength)
      changes.push(`${name} maximum length lowered from ${prev.maxLength} to ${next.maxLength}`);
  }
  if (prev.type === 'pairwise' && next.type === 'pairwise' && prev.allowTie && !next.allowTie) {
    changes.push(`${name} no longer allows a tie`);
  }
  return changes;
}
