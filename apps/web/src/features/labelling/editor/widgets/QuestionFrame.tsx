import type { ReactNode } from 'react';
import type { LabelQuestion } from '@enclave/contracts';
import { questionTitle } from '../result';

export interface QuestionFrameProps {
  question: LabelQuestion;
  /** `q-<name>`-based ids, so a widget can point its controls at the title and the errors. */
  ids: { title: string; errors: string };
  active: boolean;
  errors: readonly string[] | undefined;
  /** A line under the title: how to answer (keys), bounds. */
  hint?: ReactNode;
  onActivate: () => void;
  children: ReactNode;
}

/**
 * One question's place in the editor: its title (the description, else the name), a required mark,
 * the widget, and the messages that say what is wrong with the answer. The active question — the one
 * number keys go to — is highlighted.
 */
export function QuestionFrame({
  question,
  ids,
  active,
  errors,
  hint,
  onActivate,
  children,
}: QuestionFrameProps) {
  const invalid = errors !== undefined && errors.length > 0;
  const title = questionTitle(question);
  return (
    <section
      className={`question${active ? ' question--active' : ''}${invalid ? ' question--invalid' : ''}`}
      aria-labelledby={ids.title}
      data-question={question.name}
      onFocusCapture={onActivate}
      onPointerDownCapture={onActivate}
    >
      <h3 className="question__title" id={ids.title}>
        {title}
        {question.required ? (
          // The space is in the flow: inside the visually hidden span, Chromium's name drops it
          // ("entities(required)").
          <span className="question__required" title="Required">
            {' '}
            <span aria-hidden="true">*</span>
            <span className="visually-hidden">(required)</span>
          </span>
        ) : /\(optional\)/i.test(title) ? null : (
          <span className="question__optional"> (optional)</span>
        )}
      </h3>
      {hint ? <p className="question__hint">{hint}</p> : null}
      {children}
      <div id={ids.errors} className="question__errors" aria-live="polite">
        {invalid
          ? errors.map((message, i) => (
              <p key={i} className="field__error">
                {message}
              </p>
            ))
          : null}
      </div>
    </section>
  );
}

/** A key hint beside an option: shown, but not part of the option's accessible name. */
export function KeyHint({ children }: { children: ReactNode }) {
  return (
    <kbd className="key-hint" aria-hidden="true">
      {children}
    </kbd>
  );
}
