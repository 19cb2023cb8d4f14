import { useId, type MouseEvent } from 'react';
import type {
  MultiChoiceQuestion,
  PairwiseQuestion,
  RatingQuestion,
  SingleChoiceQuestion,
} from '@enclave/contracts';
import { pairwiseChoices, toggleOption } from '../result';
import { ratingKeyLabel } from '../shortcuts';
import { KeyHint } from './QuestionFrame';
import type { WidgetProps } from './types';

interface RadioOption<T extends string | number> {
  value: T;
  label: string;
  key: string | null;
}

/**
 * A group of native radio buttons: named by their own text, arrow keys move within the group, and a
 * click on the chosen one clears it (the number key does the same).
 */
function RadioGroup<T extends string | number>({
  options,
  value,
  onAnswer,
  readOnly,
  labelledBy,
  describedBy,
  invalid,
  layout,
}: Omit<WidgetProps<unknown>, 'question' | 'value'> & {
  options: readonly RadioOption<T>[];
  value: unknown;
  layout: 'list' | 'row';
}) {
  const name = useId();
  const clearOnReclick = (option: T) => (e: MouseEvent<HTMLInputElement>) => {
    // A click on the radio that was already chosen fires no change: it unchooses.
    if (value === option && e.detail > 0) onAnswer(null);
  };
  return (
    <div
      role="radiogroup"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      className={`options options--${layout}`}
    >
      {options.map((o) => (
        <label key={String(o.value)} className={`option${value === o.value ? ' option--chosen' : ''}`}>
          <input
            type="radio"
            name={name}
            value={String(o.value)}
            checked={value === o.value}
            disabled={readOnly}
            onChange={() => onAnswer(o.value)}
            onClick={clearOnReclick(o.value)}
          />
          <span className="option__text">{o.label}</span>
          {o.key && !readOnly ? <KeyHint>{o.key}</KeyHint> : null}
        </label>
      ))}
    </div>
  );
}

export function SingleChoiceWidget(props: WidgetProps<SingleChoiceQuestion>) {
  const options = props.question.options.map((o, i) => ({
    value: o,
    label: o,
    key: i < 9 ? String(i + 1) : null,
  }));
  return <RadioGroup {...props} options={options} layout="list" />;
}

export function RatingWidget(props: WidgetProps<RatingQuestion>) {
  const q = props.question;
  const options: RadioOption<number>[] = [];
  for (let v = q.min; v <= q.max; v++)
    options.push({ value: v, label: String(v), key: ratingKeyLabel(q, v) });
  return (
    <>
      <RadioGroup {...props} options={options} layout="row" />
      <p className="question__scale muted" aria-hidden="true">
        <span>{q.min}: lowest</span>
        <span>{q.max}: highest</span>
      </p>
    </>
  );
}

export function PairwiseWidget(props: WidgetProps<PairwiseQuestion>) {
  const labels = { a: 'Response A', b: 'Response B', tie: 'Tie' } as const;
  const keys = { a: 'A', b: 'B', tie: 'T' } as const;
  const options = pairwiseChoices(props.question.allowTie).map((c) => ({
    value: c,
    label: labels[c],
    key: keys[c],
  }));
  return <RadioGroup {...props} options={options} layout="row" />;
}

export function MultiChoiceWidget({
  question,
  value,
  onAnswer,
  readOnly,
  labelledBy,
  describedBy,
  invalid,
}: WidgetProps<MultiChoiceQuestion>) {
  const chosen = new Set(Array.isArray(value) ? value : []);
  return (
    <div
      role="group"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      className="options options--list"
    >
      {question.options.map((o, i) => (
        <label key={o} className={`option${chosen.has(o) ? ' option--chosen' : ''}`}>
          <input
            type="checkbox"
            checked={chosen.has(o)}
            disabled={readOnly}
            onChange={() => onAnswer(toggleOption(question, value, o))}
          />
          <span className="option__text">{o}</span>
          {i < 9 && !readOnly ? <KeyHint>{i + 1}</KeyHint> : null}
        </label>
      ))}
    </div>
  );
}
