import { useId } from 'react';
import type { TextQuestion } from '@enclave/contracts';
import { textLengthStatus } from '../result';
import type { WidgetProps } from './types';

/** A free-text answer with a live length count, in code points as the API counts them. */
export function TextAnswerWidget({
  question,
  value,
  onAnswer,
  readOnly,
  labelledBy,
  describedBy,
  invalid,
}: WidgetProps<TextQuestion>) {
  const countId = useId();
  const text = typeof value === 'string' ? value : '';
  const status = textLengthStatus(question, text);
  return (
    <div className="text-answer">
      <textarea
        className="text-answer__input"
        value={text}
        readOnly={readOnly}
        rows={question.maxLength > 500 ? 8 : 3}
        aria-labelledby={labelledBy}
        aria-describedby={`${countId} ${describedBy}`}
        aria-invalid={invalid || status.state === 'long' || undefined}
        aria-required={question.required || undefined}
        onChange={(e) => onAnswer(e.target.value, `text:${question.name}`)}
        spellCheck
      />
      <p id={countId} className={`text-answer__count text-answer__count--${status.state}`}>
        {status.text}
        {status.state === 'long' ? ' — too long: shorten it to submit' : null}
        {status.state === 'short' ? ` — at least ${question.minLength} needed` : null}
      </p>
    </div>
  );
}
