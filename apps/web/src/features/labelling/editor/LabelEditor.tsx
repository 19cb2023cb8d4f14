import {
  useId,
  useImperativeHandle,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
} from 'react';
import type { LabelConfig, LabelField, LabelQuestion } from '@enclave/contracts';
import {
  ChatFieldView,
  fieldTitle,
  ImageFieldView,
  MarkdownFieldView,
  ResponsesFieldView,
  TextFieldView,
} from './fields/Fields';
import { answerOf, pairwiseChoices, setAnswer, toggleOption, toggleSingle, type EditorValue } from './result';
import { isTypingTarget, questionCommand, type KeyPress } from './shortcuts';
import { BoxesWidget } from './widgets/BoxesWidget';
import { MultiChoiceWidget, PairwiseWidget, RatingWidget, SingleChoiceWidget } from './widgets/ChoiceWidgets';
import { QuestionFrame } from './widgets/QuestionFrame';
import { RankingWidget } from './widgets/RankingWidget';
import { SpansWidget } from './widgets/SpansWidget';
import { TextAnswerWidget } from './widgets/TextAnswerWidget';

export type { EditorValue } from './result';

/** What a host can do with the editor besides giving it a value. */
export interface LabelEditorHandle {
  /** Focus the editor (after a submit, the next task), so its keys work at once. */
  focus: () => void;
  /** Make the next (or previous) question the active one and focus its first control. */
  moveQuestion: (direction: 1 | -1) => void;
  /**
   * A key pressed while focus is outside the editor (on the page, in the instructions): applied to
   * the active question as if it had been pressed inside. True when it did something.
   */
  handleKey: (e: KeyPress) => boolean;
  /** Whether an element is inside the editor (whose own keys it then handles). */
  contains: (node: Node | null) => boolean;
}

export interface LabelEditorChange {
  /** Quick successive changes with the same key are one undo step (typing in one answer). */
  coalesceKey?: string;
}

export interface LabelEditorProps {
  config: LabelConfig;
  /** The task's data: one value per field, read as text (markdown through the sanitiser). */
  data: Record<string, unknown>;
  /** Answers keyed by question name; the editor is controlled and keeps no answer of its own. */
  value: EditorValue;
  onChange: (next: EditorValue, change?: LabelEditorChange) => void;
  /** Shows the answers without letting them change (review, before "Correct"). */
  readOnly?: boolean;
  /** Messages per question name, shown at the question (client-side checks, the API's 400 details). */
  errors?: Record<string, readonly string[]>;
  ref?: Ref<LabelEditorHandle>;
}

const READS_FIELD_IN_PLACE = new Set(['spans', 'bboxes']);
/** Questions whose keys work only inside their own control (typing, selecting text, the image). */
const STARTS_IN_CONTROL = new Set(['text', 'spans', 'bboxes']);

function idsFor(base: string, q: LabelQuestion) {
  return { title: `${base}-q-${q.name}-title`, errors: `${base}-q-${q.name}-errors` };
}

/**
 * The labelling editor: a task's fields and the configuration's questions, one widget per question
 * type, keyboard-first. It knows nothing of queues or the API: the host passes the value and gets
 * every change (with its undo grouping); the labelling screen, the review screen and the configuration
 * preview all use it.
 *
 * Keys (when focus is inside the editor and not in a text box): 1–9 choose or toggle the option,
 * rating or label of the active question, A/B/T answer a pairwise question. Span and box questions
 * take their keys on their own text and image.
 */
export function LabelEditor({
  config,
  data,
  value,
  onChange,
  readOnly = false,
  errors,
  ref,
}: LabelEditorProps) {
  const rootRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const base = useId();
  const questions = config.questions;

  function focusQuestion(index: number) {
    const q = questions[index];
    const section = q ? rootRef.current?.querySelector<HTMLElement>(`[data-question="${q.name}"]`) : null;
    setActive(index);
    // The widget's own surface (a span text, an image) first, else its first control.
    const control =
      section?.querySelector<HTMLElement>('[data-primary-control]') ??
      section?.querySelector<HTMLElement>(
        'input:not([disabled]), textarea, select, [tabindex="0"], button:not([disabled])',
      );
    (control ?? rootRef.current)?.focus();
    section?.scrollIntoView?.({ block: 'nearest' });
  }

  useImperativeHandle(ref, () => ({
    focus: () => {
      // A task that starts with writing starts in the text box, one that starts with marking on its
      // text or image; any other on the editor, whose keys then answer the first question.
      if (!readOnly && questions[0] && STARTS_IN_CONTROL.has(questions[0].type)) focusQuestion(0);
      else {
        setActive(0);
        rootRef.current?.focus({ preventScroll: true });
      }
    },
    handleKey: applyKey,
    contains: (node) => node !== null && (rootRef.current?.contains(node) ?? false),
    moveQuestion: (direction) =>
      focusQuestion(Math.min(questions.length - 1, Math.max(0, active + direction))),
  }));

  function answer(q: LabelQuestion, next: unknown, coalesceKey?: string) {
    if (readOnly) return;
    onChange(setAnswer(value, q.name, next), coalesceKey ? { coalesceKey } : undefined);
  }

  /** A question key for the active question; true when it did something. */
  function applyKey(e: KeyPress): boolean {
    if (readOnly) return false;
    const q = questions[active];
    if (!q) return false;
    const command = questionCommand(q, e);
    if (!command) return false;
    const current = answerOf(value, q.name);
    if (command.kind === 'option' && q.type === 'single_choice')
      answer(q, toggleSingle(current, q.options[command.index]!));
    else if (command.kind === 'option' && q.type === 'multi_choice')
      answer(q, toggleOption(q, current, q.options[command.index]!));
    else if (command.kind === 'rating') answer(q, toggleSingle(current, command.value));
    else if (
      command.kind === 'pairwise' &&
      q.type === 'pairwise' &&
      pairwiseChoices(q.allowTie).includes(command.choice)
    )
      answer(q, toggleSingle(current, command.choice));
    else return false; // labels: the span and box widgets take those on their own text and image
    return true;
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.defaultPrevented || isTypingTarget(e.target)) return;
    if (applyKey(e)) e.preventDefault();
  }

  function frame(q: LabelQuestion, index: number, widget: ReactNode, hint?: ReactNode) {
    return (
      <QuestionFrame
        key={q.name}
        question={q}
        ids={idsFor(base, q)}
        active={!readOnly && index === active}
        errors={errors?.[q.name]}
        hint={hint}
        onActivate={() => setActive(index)}
      >
        {widget}
      </QuestionFrame>
    );
  }

  function widgetFor(q: LabelQuestion, index: number): ReactNode {
    const ids = idsFor(base, q);
    const invalid = (errors?.[q.name]?.length ?? 0) > 0;
    const common = {
      value: answerOf(value, q.name),
      onAnswer: (next: unknown, key?: string) => answer(q, next, key),
      readOnly,
      labelledBy: ids.title,
      describedBy: ids.errors,
      invalid,
    };
    switch (q.type) {
      case 'single_choice':
        return frame(
          q,
          index,
          <SingleChoiceWidget question={q} {...common} />,
          readOnly ? null : 'Keys 1–9 choose.',
        );
      case 'multi_choice':
        return frame(
          q,
          index,
          <MultiChoiceWidget question={q} {...common} />,
          readOnly ? null : 'Keys 1–9 toggle; choose all that apply.',
        );
      case 'rating':
        return frame(
          q,
          index,
          <RatingWidget question={q} {...common} />,
          readOnly ? null : 'Number keys rate.',
        );
      case 'pairwise':
        return frame(
          q,
          index,
          <PairwiseWidget question={q} {...common} />,
          readOnly ? null : `Keys A, B${q.allowTie ? ', T for a tie' : ''}.`,
        );
      case 'ranking':
        return frame(
          q,
          index,
          <RankingWidget question={q} {...common} data={data} />,
          readOnly ? null : 'Best first. Drag, or select with ↑/↓ and move with Alt+↑/↓.',
        );
      case 'text':
        return frame(q, index, <TextAnswerWidget question={q} {...common} />);
      case 'spans':
        return frame(
          q,
          index,
          <SpansWidget question={q} {...common} text={data[q.field]} />,
          readOnly ? null : 'Select text, then press a label’s number. Click a span to remove it.',
        );
      case 'bboxes':
        return frame(
          q,
          index,
          <BoxesWidget question={q} {...common} image={data[q.field]} />,
          readOnly
            ? null
            : 'Drag on the image to draw, or press N for a new box; Tab selects boxes, arrows move them.',
        );
    }
  }

  // A span or box question shows its field itself, marked; the field is not shown twice.
  const inPlace = new Map<string, { q: LabelQuestion; index: number }[]>();
  questions.forEach((q, index) => {
    if (q.type === 'spans' || q.type === 'bboxes') {
      const list = inPlace.get(q.field) ?? [];
      list.push({ q, index });
      inPlace.set(q.field, list);
    }
  });

  function fieldView(field: LabelField): ReactNode {
    const marked = inPlace.get(field.name);
    if (marked) return marked.map(({ q, index }) => widgetFor(q, index));
    const v = data[field.name];
    const view =
      field.type === 'text' ? (
        <TextFieldView field={field} value={v} />
      ) : field.type === 'markdown' ? (
        <MarkdownFieldView field={field} value={v} />
      ) : field.type === 'image' ? (
        <ImageFieldView field={field} value={v} />
      ) : field.type === 'chat' ? (
        <ChatFieldView field={field} value={v} />
      ) : (
        <ResponsesFieldView field={field} value={v} />
      );
    return (
      <section
        key={field.name}
        className={`task-field task-field--${field.type}`}
        aria-label={fieldTitle(field)}
      >
        <h3 className="task-field__title">{fieldTitle(field)}</h3>
        {view}
      </section>
    );
  }

  const side = questions.map((q, index) => (READS_FIELD_IN_PLACE.has(q.type) ? null : widgetFor(q, index)));
  const hasSide = side.some((s) => s !== null);

  return (
    <div
      ref={rootRef}
      className={`editor${readOnly ? ' editor--readonly' : ''}${hasSide ? '' : ' editor--single'}`}
      tabIndex={-1}
      role="group"
      aria-label={readOnly ? 'Annotation (read-only)' : 'Annotation editor'}
      onKeyDown={onKeyDown}
    >
      <div className="editor__content">
        {config.fields.map((f) => (
          <div key={f.name} className="editor__field">
            {fieldView(f)}
          </div>
        ))}
      </div>
      {hasSide ? <div className="editor__questions">{side}</div> : null}
    </div>
  );
}
