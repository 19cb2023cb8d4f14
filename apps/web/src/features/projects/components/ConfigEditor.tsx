import { useId, useRef } from 'react';
import { configToText, type ConfigCheck, type ConfigProblem } from './config-text';
import { ConfigReference } from './ConfigReference';

interface ConfigEditorProps {
  label?: string;
  text: string;
  onTextChange: (text: string) => void;
  check: ConfigCheck;
  /** The saved (or template's) configuration, for "Undo changes". */
  original?: string;
  readOnly?: boolean;
}

function summary(check: ConfigCheck): string {
  if (check.state === 'valid') {
    const f = check.config.fields.length;
    const q = check.config.questions.length;
    return `Valid: ${f} field${f === 1 ? '' : 's'}, ${q} question${q === 1 ? '' : 's'}.`;
  }
  if (check.state === 'syntax') return 'Not valid JSON yet.';
  const n = check.problems.length;
  return `${n} problem${n === 1 ? '' : 's'} to fix.`;
}

/**
 * The label configuration as JSON in a plain text area, checked on every keystroke by the same schema
 * the API uses. Each problem names its path and line; its button puts the cursor there.
 */
export function ConfigEditor({
  label = 'Label configuration (JSON)',
  text,
  onTextChange,
  check,
  original,
  readOnly,
}: ConfigEditorProps) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);

  function goTo(problem: ConfigProblem) {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(problem.span.start, Math.max(problem.span.start, problem.span.end));
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (problem.line - 3) * lineHeight);
  }

  function format() {
    if (check.state !== 'syntax') onTextChange(configToText(check.value));
  }

  const problems = check.state === 'valid' ? [] : check.problems;
  return (
    <div className="config-editor">
      <div className="field">
        <label htmlFor={`${id}-text`}>{label}</label>
        <p className="field__hint" id={`${id}-hint`}>
          <strong>fields</strong> are what annotators see (read from each task&rsquo;s data);{' '}
          <strong>questions</strong> are what they answer. Checked as you type.
        </p>
        <textarea
          ref={area}
          id={`${id}-text`}
          className="code-area"
          value={text}
          onChange={(e) => onTextChange(e.target.value)}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          rows={22}
          readOnly={readOnly}
          aria-invalid={check.state === 'valid' ? undefined : true}
          aria-describedby={`${id}-hint ${id}-status`}
        />
      </div>
      <div className="config-editor__bar">
        <p
          id={`${id}-status`}
          className={
            check.state === 'valid' ? 'config-status config-status--ok' : 'config-status config-status--bad'
          }
          role="status"
        >
          {summary(check)}
        </p>
        {!readOnly ? (
          <div className="config-editor__actions">
            <button
              type="button"
              className="btn btn--small"
              onClick={format}
              disabled={check.state === 'syntax'}
            >
              Format JSON
            </button>
            {original !== undefined && original !== text ? (
              <button
                type="button"
                className="btn btn--small btn--quiet"
                onClick={() => onTextChange(original)}
              >
                Undo changes
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
      {problems.length > 0 ? (
        <ul className="config-problems" aria-label="Configuration problems">
          {problems.map((p, i) => (
            <li key={`${p.path}-${i}`}>
              <button type="button" className="btn btn--small btn--quiet" onClick={() => goTo(p)}>
                Line {p.line}
              </button>
              <span>
                {p.path ? <code>{p.path}</code> : null}
                {p.path ? ': ' : null}
                {p.message}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <ConfigReference />
    </div>
  );
}
