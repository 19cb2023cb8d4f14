import { useMemo, useState } from 'react';
import { sanitizeHtml } from '../editor/markdown';

/**
 * The project's instructions beside the task. The API renders them (markdown-it, raw HTML escaped);
 * they go through DOMPurify here as well, so a bug on either side is not enough to run script.
 */
export function Instructions({ html }: { html: string }) {
  const [open, setOpen] = useState(true);
  const safe = useMemo(() => sanitizeHtml(html), [html]);
  if (!html.trim()) return null;
  return (
    <aside className={`instructions${open ? '' : ' instructions--closed'}`} aria-label="Instructions">
      <button
        type="button"
        className="btn btn--small btn--quiet instructions__toggle"
        aria-expanded={open}
        aria-controls="instructions-body"
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide instructions' : 'Instructions'}
      </button>
      <div
        id="instructions-body"
        className="instructions__body task-markdown"
        hidden={!open}
        dangerouslySetInnerHTML={{ __html: safe }}
      />
    </aside>
  );
}
