import { useMemo, useState } from 'react';
import type { LabelField } from '@enclave/contracts';
import { renderMarkdown } from '../markdown';
import { assetUrl, chatOf, responseLetter, responsesOf } from './responses';

/**
 * The task's content, one component per field type. Everything from task data is text: React escapes
 * it, and the one exception, markdown, goes through the renderer's escaping and DOMPurify.
 */

export function fieldTitle(field: LabelField): string {
  return field.name.replace(/_/g, ' ');
}

function Missing({ field, what }: { field: LabelField; what: string }) {
  return (
    <p className="muted field-missing">
      This task has no {what} in “{field.name}”.
    </p>
  );
}

export function TextFieldView({ field, value }: { field: LabelField; value: unknown }) {
  if (typeof value !== 'string') return <Missing field={field} what="text" />;
  return <div className="task-text">{value}</div>;
}

export function MarkdownFieldView({ field, value }: { field: LabelField; value: unknown }) {
  const html = useMemo(() => (typeof value === 'string' ? renderMarkdown(value) : null), [value]);
  if (html === null) return <Missing field={field} what="text" />;
  // Sanitised above: markdown-it escapes raw HTML, DOMPurify removes anything executable.
  return <div className="task-markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

export function ImageFieldView({ field, value }: { field: LabelField; value: unknown }) {
  const [failed, setFailed] = useState(false);
  const src = assetUrl(value);
  if (!src) return <Missing field={field} what="image" />;
  if (failed)
    return <p className="field__error">The image could not be loaded. Reload the page to try again.</p>;
  return (
    <img
      className="task-image"
      src={src}
      alt={`Image “${fieldTitle(field)}” of the task`}
      draggable={false}
      onError={() => setFailed(true)}
    />
  );
}

const ROLE_NAMES: Record<string, string> = { user: 'User', assistant: 'Assistant', system: 'System' };

export function ChatFieldView({ field, value }: { field: LabelField; value: unknown }) {
  const turns = chatOf(value);
  if (turns.length === 0) return <Missing field={field} what="conversation" />;
  return (
    <ol className="chat">
      {turns.map((t, i) => {
        const role = ROLE_NAMES[t.role] ? t.role : 'user';
        return (
          <li key={i} className={`chat__turn chat__turn--${role}`}>
            <span className="chat__role">{ROLE_NAMES[t.role] ?? String(t.role)}</span>
            <div className="chat__content">{t.content}</div>
          </li>
        );
      })}
    </ol>
  );
}

export function ResponsesFieldView({ field, value }: { field: LabelField; value: unknown }) {
  const responses = responsesOf(value);
  if (responses.length === 0) return <Missing field={field} what="responses" />;
  return (
    <div className={`responses responses--${Math.min(responses.length, 4)}`}>
      {responses.map((r, i) => (
        <article key={r.id} className="response" aria-label={`Response ${responseLetter(i)}`}>
          <h4 className="response__title">Response {responseLetter(i)}</h4>
          <div className="response__text">{r.text}</div>
        </article>
      ))}
    </div>
  );
}
